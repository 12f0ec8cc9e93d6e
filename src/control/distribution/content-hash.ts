/**
 * Canonical JSON (object keys sorted, `undefined` dropped) and a short content
 * hash of it. Two values that mean the same produce the same text, so the store
 * can say "unchanged" and a snapshot's version moves only when its content does.
 */
import { createHash } from 'node:crypto';

/** @example canonicalJson({ b: 1, a: [2, { d: 3, c: undefined }] }) // '{"a":[2,{"d":3}],"b":1}' */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}

/** First 16 hex digits (64 bits) of SHA-256 over the canonical JSON: plenty to tell versions apart. @example contentHash({ a: 1 }) */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}
