/**
 * Text → YAML documents with positions. Never throws: syntax errors, alias
 * bombs and anything else the parser rejects become `MG_CONFIG_YAML_SYNTAX`
 * errors at the position the parser names; the other documents still load.
 */
import { LineCounter, parseAllDocuments, parseDocument, type Document } from 'yaml';
import { CONFIG_ERROR_CODES, ConfigError } from './errors.js';
import type { Position } from './kinds.js';
import { identityPositions, linePos, offsetOf, type FieldPath, type PositionMap } from './yaml-positions.js';

/** One parsed document and how to find positions in it. */
export interface LocatedDocument {
  file: string;
  text: string;
  /** 0-based index of the document in its file. */
  index: number;
  doc: Document;
  lines: LineCounter;
  map: PositionMap;
  /** Plain JS value of the document (`null` for an empty one). */
  value: unknown;
}

// An alias may expand a node many times over; this caps the work a hostile file can cause.
const MAX_ALIAS_COUNT = 100;

/** Position of `path` (from the document root) as the user sees it. */
export function locate(d: LocatedDocument, path: FieldPath): Position {
  return d.map(linePos(d.lines, offsetOf(d.doc, path)));
}

function messageOf(err: unknown): string {
  // Deep nesting exhausts the stack inside the parser; say what the input did, not how we failed.
  if (err instanceof RangeError) return 'document is nested too deeply';
  return err instanceof Error ? err.message : String(err);
}

function syntaxError(file: string, pos: Position, message: string): ConfigError {
  const first = /call stack/i.test(message) ? 'document is nested too deeply' : (message.split('\n')[0] ?? message);
  return new ConfigError(CONFIG_ERROR_CODES.yamlSyntax, first.replace(/ at line \d+, column \d+:?$/, ''), {
    file, line: pos.line, column: pos.column, field: '',
    hint: /tab/i.test(first) ? 'indent with spaces; YAML does not allow tabs' : undefined,
  });
}

function toLocated(file: string, text: string, index: number, doc: Document, lines: LineCounter, map: PositionMap, errors: ConfigError[]): LocatedDocument | undefined {
  if (doc.errors.length > 0) {
    for (const e of doc.errors) errors.push(syntaxError(file, map(linePos(lines, e.pos[0])), e.message));
    return undefined;
  }
  try {
    const value: unknown = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    return { file, text, index, doc, lines, map, value };
  } catch (err) {
    const start = doc.contents?.range?.[0] ?? 0;
    errors.push(syntaxError(file, map(linePos(lines, start)), messageOf(err)));
    return undefined;
  }
}

/**
 * Every document of a multi-document YAML (or JSON) text.
 *
 * @example
 * readDocuments('a.yaml', 'kind: A\n---\nkind: B\n', errors).length // 2
 */
export function readDocuments(file: string, text: string, errors: ConfigError[]): LocatedDocument[] {
  const lines = new LineCounter();
  let docs: Document[];
  try {
    docs = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false }) as Document[];
  } catch (err) {
    errors.push(syntaxError(file, { line: 1, column: 1 }, messageOf(err)));
    return [];
  }
  const out: LocatedDocument[] = [];
  docs.forEach((doc, i) => {
    const located = toLocated(file, text, i, doc, lines, identityPositions, errors);
    if (located) out.push(located);
  });
  return out;
}

/** One YAML document embedded in another file (an `istio` ConfigMap's `data.mesh`), positioned by `map`. */
export function readEmbeddedDocument(file: string, text: string, map: PositionMap, errors: ConfigError[]): LocatedDocument | undefined {
  const lines = new LineCounter();
  try {
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
    return toLocated(file, text, 0, doc, lines, map, errors);
  } catch (err) {
    errors.push(syntaxError(file, map({ line: 1, column: 1 }), messageOf(err)));
    return undefined;
  }
}
