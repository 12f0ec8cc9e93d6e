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
  let parts: string[] | undefined;
  for (const key in headers) {
    if (key.length !== lower.length || key.toLowerCase() !== lower) continue;
    const v = headers[key];
    if (v === undefined) continue;
    if (parts === undefined) parts = [];
    if (Array.isArray(v)) parts.push(...v);
    else parts.push(v);
  }
  if (parts === undefined) return undefined;
  return parts.length === 1 ? parts[0] : parts.join(',');
}
