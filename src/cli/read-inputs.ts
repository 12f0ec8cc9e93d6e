/**
 * The one I/O piece of configuration loading: `-f PATH` (files, directories,
 * `-` for stdin) → `{file, text}` values for `config/`'s `parseDocuments`.
 * Like kubectl: a directory's own `*.yaml|*.yml|*.json` files, sorted; `-R`
 * recurses. A path that cannot be read is an error, not a crash.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CONFIG_ERROR_CODES, ConfigError, type ConfigInput } from '../config/index.js';

const MANIFEST = /\.(ya?ml|json)$/i;

async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function readError(path: string, err: unknown): ConfigError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const why = code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : err instanceof Error ? err.message : String(err);
  return new ConfigError(CONFIG_ERROR_CODES.read, `cannot read ${path}: ${why}`, { file: path, line: 1, column: 1, field: '' });
}

async function readDirectory(dir: string, recursive: boolean, out: ConfigInput[], errors: ConfigError[]): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) await readDirectory(path, recursive, out, errors);
    } else if (MANIFEST.test(entry.name)) {
      try {
        out.push({ file: path, text: await readFile(path, 'utf8') });
      } catch (err) {
        errors.push(readError(path, err));
      }
    }
  }
}

/**
 * Reads every `-f` path in order.
 *
 * @example
 * const { inputs, errors } = await readInputs(['policies/', 'mesh.yaml'], { recursive: true });
 * const result = parseDocuments(inputs);
 */
export async function readInputs(
  paths: string[],
  opts: { recursive: boolean; stdin?: NodeJS.ReadableStream },
): Promise<{ inputs: ConfigInput[]; errors: ConfigError[] }> {
  const inputs: ConfigInput[] = [];
  const errors: ConfigError[] = [];
  for (const path of paths) {
    try {
      if (path === '-') {
        inputs.push({ file: '<stdin>', text: await readStdin(opts.stdin ?? process.stdin) });
      } else if ((await stat(path)).isDirectory()) {
        await readDirectory(path, opts.recursive, inputs, errors);
      } else {
        inputs.push({ file: path, text: await readFile(path, 'utf8') });
      }
    } catch (err) {
      errors.push(readError(path, err));
    }
  }
  return { inputs, errors };
}
