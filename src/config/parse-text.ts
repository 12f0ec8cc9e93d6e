/**
 * One YAML/JSON document checked against a schema, with the loader's errors
 * (file:line:column, field path, did-you-mean). For inputs that are not
 * resources, such as `meshguard check`'s request document.
 */
import type { z } from 'zod';
import { CONFIG_ERROR_CODES, ConfigError } from './errors.js';
import { parseWithSchema } from './schema-issues.js';
import { identityPositions } from './yaml-positions.js';
import { locate, readEmbeddedDocument } from './yaml-reader.js';

/**
 * @example
 * const res = parseWithSchemaText('req.json', text, requestSchema);
 * if (!res.ok) for (const e of res.errors) console.error(formatConfigError(e));
 */
export function parseWithSchemaText<S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
): { ok: true; value: z.output<S> } | { ok: false; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const d = readEmbeddedDocument(file, text, identityPositions, errors);
  if (!d) return { ok: false, errors };
  if (d.value === null || d.value === undefined) {
    return { ok: false, errors: [new ConfigError(CONFIG_ERROR_CODES.invalidValue, 'the document is empty', { file, line: 1, column: 1, field: '' })] };
  }
  return parseWithSchema(schema, d.value, { file, prefix: [], locate: (p) => locate(d, p) });
}
