/**
 * Where things are in a YAML document: the line and column of a field path, the
 * positions of every field (for `source.fields`), and the mapping from a YAML
 * string embedded in a block scalar (an `istio` ConfigMap's `data.mesh`) back to
 * the outer file.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Scalar } from 'yaml';
import type { Position } from './kinds.js';

export type FieldPath = readonly (string | number)[];

/** Maps a position inside a parsed text to the position the user sees (identity for top-level files). */
export type PositionMap = (pos: Position) => Position;

export const identityPositions: PositionMap = (pos) => pos;

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/**
 * `['spec', 'rules', 0, 'to']` → `spec.rules[0].to`; keys that are not plain
 * identifiers (`app.kubernetes.io/name`) are quoted: `matchLabels["app.kubernetes.io/name"]`.
 *
 * @example
 * formatFieldPath(['spec', 'rules', 0]) // 'spec.rules[0]'
 */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function resolve(doc: Document, node: unknown): unknown {
  // Aliases point at an anchored node elsewhere; positions are those of the anchor.
  return isAlias(node) ? node.resolve(doc) : node;
}

function startOf(node: unknown): number | undefined {
  const range = (node as Node | null)?.range;
  return range ? range[0] : undefined;
}

/**
 * Offset of the node at `path` (of its key, when the last step is a map key, so
 * that "unknown field" points at the name). A path that goes past what exists
 * gives the deepest existing node: a missing field points at its parent.
 */
export function offsetOf(doc: Document, path: FieldPath, root: unknown = doc.contents): number {
  let node: unknown = resolve(doc, root);
  let best = startOf(node) ?? 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (!pair) break;
      best = startOf(pair.key) ?? best;
      node = resolve(doc, pair.value);
      if (node === null || node === undefined) break;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      node = resolve(doc, item);
      best = startOf(node) ?? best;
    } else {
      break;
    }
  }
  return best;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

/**
 * Every field's position in a document, keyed by its formatted path
 * (`spec.rules[0].from[0].source.principals[1]`). Bounded: at most `limit`
 * entries, so a hostile document cannot make the map huge.
 */
export function collectFieldPositions(
  doc: Document,
  root: unknown,
  prefix: FieldPath,
  lines: LineCounter,
  map: PositionMap,
  limit = 20_000,
): Record<string, Position> {
  const out: Record<string, Position> = {};
  let count = 0;
  const seen = new Set<unknown>();
  const at = (offset: number): Position => map(linePos(lines, offset));
  const walk = (raw: unknown, path: (string | number)[]): void => {
    const node = resolve(doc, raw);
    if (count >= limit || seen.has(node)) return;
    if (isMap(node)) {
      seen.add(node);
      for (const pair of node.items) {
        const key = keyText(pair.key);
        const offset = startOf(pair.key);
        if (key === undefined || offset === undefined) continue;
        path.push(key);
        out[formatFieldPath(path)] = at(offset);
        count++;
        walk(pair.value, path);
        path.pop();
      }
    } else if (isSeq(node)) {
      seen.add(node);
      node.items.forEach((item, i) => {
        const offset = startOf(resolve(doc, item));
        path.push(i);
        if (offset !== undefined) {
          out[formatFieldPath(path)] = at(offset);
          count++;
        }
        walk(item, path);
        path.pop();
      });
    }
  };
  walk(root, [...prefix]);
  return out;
}

/** 1-based line and column of an offset. */
export function linePos(lines: LineCounter, offset: number): Position {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

/**
 * For a YAML text held inside a scalar of an outer file (`data.mesh: |`), maps
 * positions in the inner text to the outer file. Block scalars map exactly
 * (line after the header, plus the block's indentation); quoted or plain
 * scalars map to the scalar's own line, shifted by the inner line.
 */
export function embeddedPositions(outerText: string, scalar: Scalar, lines: LineCounter, outer: PositionMap): PositionMap {
  const start = scalar.range?.[0] ?? 0;
  const head = outer(linePos(lines, start));
  if (scalar.type === 'BLOCK_LITERAL' || scalar.type === 'BLOCK_FOLDED') {
    const end = scalar.range?.[1] ?? outerText.length;
    const body = outerText.slice(start, end).split('\n').slice(1);
    const first = body.find((l) => l.trim() !== '') ?? '';
    const indent = first.length - first.trimStart().length;
    return (pos) => ({ line: head.line + pos.line, column: pos.column + indent });
  }
  const quote = scalar.type === 'QUOTE_DOUBLE' || scalar.type === 'QUOTE_SINGLE' ? 1 : 0;
  return (pos) => ({
    line: head.line + pos.line - 1,
    column: pos.line === 1 ? head.column + quote + pos.column - 1 : pos.column,
  });
}
