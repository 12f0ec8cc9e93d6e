/**
 * Path templates in `paths` (Istio 1.20+, Envoy `uri_template`): `{*}` matches
 * exactly one non-empty path segment, `{**}` zero or more characters including `/`
 * and must be the last operator (literal text may follow it). Any other `{…}`, or a `*` glob mixed with a
 * template, is invalid (Istio's validation rejects it).
 */

/** Envoy's path-segment characters (RFC 3986 pchar, without `/`). */
const SEGMENT = "[A-Za-z0-9\\-._~%!$&'()*+,;:@=]";

export function containsPathTemplate(path: string): boolean {
  return path.includes('{*}') || path.includes('{**}');
}

/**
 * Compile a template to a full-match RegExp, or return why it is invalid.
 *
 * @example
 * compilePathTemplate('/api/{*}/items/{**}') // RegExp matching '/api/v1/items/a/b'
 */
export function compilePathTemplate(template: string): RegExp | string {
  const parts = template.split(/(\{\*\*\}|\{\*\})/);
  let source = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (part === '{**}') {
      if (parts.slice(i + 1).some((p) => p === '{*}' || p === '{**}')) return '{**} must be the last operator in a path template';
      source += `(?:${SEGMENT}|/)*`;
    } else if (part === '{*}') {
      source += `${SEGMENT}+`;
    } else {
      if (/[{}*]/.test(part)) return `invalid path template "${template}": only {*} and {**} operators are allowed`;
      source += part.replace(/[.+?^$()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}
