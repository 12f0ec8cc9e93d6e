/**
 * Header lookup as Envoy's header matchers see it: names compared
 * case-insensitively, a header sent several times joined with `,`.
 */

export type HeaderMap = Record<string, string | string[]>;

/**
 * The value Envoy would match for header `name`, or `undefined` when absent.
 *
 * @example
 * headerValue({ 'X-Team': ['a', 'b'] }, 'x-team') // 'a,b'
 */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  const lower = name.toLowerCase();
  let found: string[] | undefined;
  let single: string | undefined;
  for (const key in headers) {
    if (key.length !== lower.length || key.toLowerCase() !== lower) continue;
    const v = headers[key];
    if (v === undefined) continue;
    const list = Array.isArray(v) ? v : [v];
    if (single === undefined && found === undefined && list.length === 1) {
      single = list[0];
    } else {
      found = [...(found ?? (single !== undefined ? [single] : [])), ...list];
      single = undefined;
    }
  }
  if (found) return found.join(',');
  return single;
}
