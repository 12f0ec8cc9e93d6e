/**
 * Where a token is read, exactly where Envoy's `jwt_authn` extractor reads it
 * for the providers Istio generates from `jwtRules`:
 *
 * - a rule with no `fromHeaders`/`fromParams`/`fromCookies` reads
 *   `Authorization` with the prefix `Bearer ` and the `access_token` query
 *   parameter;
 * - header locations come first (ordered by lower-cased name + prefix, as
 *   Envoy's map orders them), then query parameters, then cookies, each
 *   ordered by name;
 * - a prefix is searched anywhere in the value, case-sensitively (so
 *   `bearer x` carries no token for the default location), and the token
 *   starts at the next base64url character after it;
 * - every value of a repeated header is a token; a parameter or cookie gives
 *   its first value.
 *
 * A location shared by several rules remembers every issuer allowed there:
 * a token whose `iss` is not among them is `Jwt issuer is not configured`.
 */
import type { JwtRule } from '../../config/kinds.js';

/** The request parts tokens come from. Header names may be in any case. */
export interface HttpRequestParts {
  headers: Record<string, string | string[] | undefined>;
  /** Path with query string, as on the request line (`/api?access_token=…`). */
  path: string;
  /** For the `WWW-Authenticate` realm; Envoy uses the original host and scheme. */
  host?: string;
  scheme?: string;
}

export interface ExtractedToken {
  token: string;
  /** `header:authorization`, `param:access_token`, `cookie:session` — for reasons and logs. */
  location: string;
  /** Issuers of the rules that read this location. */
  issuers: ReadonlySet<string>;
}

export const DEFAULT_HEADER = 'authorization';
export const DEFAULT_PREFIX = 'Bearer ';
export const DEFAULT_PARAM = 'access_token';

// RFC 4648 §5 alphabet plus '.', the characters a compact JWS is made of.
const TOKEN_CHARS = /[A-Za-z0-9\-_.]/;

interface Locations {
  headers: Map<string, { name: string; prefix: string; issuers: Set<string> }>;
  params: Map<string, Set<string>>;
  cookies: Map<string, Set<string>>;
}

function addTo<K>(map: Map<K, Set<string>>, key: K, issuer: string): void {
  const set = map.get(key) ?? new Set<string>();
  set.add(issuer);
  map.set(key, set);
}

function locationsOf(rules: readonly JwtRule[]): Locations {
  const loc: Locations = { headers: new Map(), params: new Map(), cookies: new Map() };
  const addHeader = (rawName: string, prefix: string, issuer: string): void => {
    const name = rawName.toLowerCase();
    const key = name + prefix;
    const entry = loc.headers.get(key) ?? { name, prefix, issuers: new Set<string>() };
    entry.issuers.add(issuer);
    loc.headers.set(key, entry);
  };
  for (const rule of rules) {
    const custom = (rule.fromHeaders?.length ?? 0) + (rule.fromParams?.length ?? 0) + (rule.fromCookies?.length ?? 0);
    if (custom === 0) {
      addHeader(DEFAULT_HEADER, DEFAULT_PREFIX, rule.issuer);
      addTo(loc.params, DEFAULT_PARAM, rule.issuer);
      continue;
    }
    for (const h of rule.fromHeaders ?? []) addHeader(h.name, h.prefix ?? '', rule.issuer);
    for (const p of rule.fromParams ?? []) addTo(loc.params, p, rule.issuer);
    for (const c of rule.fromCookies ?? []) addTo(loc.cookies, c, rule.issuer);
  }
  return loc;
}

function headerValues(headers: HttpRequestParts['headers'], name: string): string[] {
  const out: string[] = [];
  for (const key in headers) {
    if (key.toLowerCase() !== name) continue;
    const v = headers[key];
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) out.push(...v);
  }
  return out;
}

function afterPrefix(value: string, prefix: string): string | undefined {
  if (prefix === '') return value;
  const at = value.indexOf(prefix);
  if (at < 0) return undefined;
  let start = at + prefix.length;
  while (start < value.length && !TOKEN_CHARS.test(value[start] as string)) start++;
  // Envoy keeps the value as-is when no token character follows the prefix.
  return start < value.length ? value.slice(start) : value;
}

function queryParams(path: string): URLSearchParams {
  const q = path.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : path.slice(q + 1));
}

/** Cookie pairs, first occurrence wins; surrounding double quotes dropped as Envoy does. */
function cookies(headers: HttpRequestParts['headers']): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of headerValues(headers, 'cookie')) {
    for (const pair of line.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      let value = pair.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (name && !out.has(name)) out.set(name, value);
    }
  }
  return out;
}

const byKey = <V>(map: Map<string, V>): [string, V][] => [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * Every token the rules would read from this request, in Envoy's order.
 *
 * @example
 * extractTokens([{ issuer: 'auth@istioinaction.io' }], { headers: { authorization: 'Bearer eyJ…' }, path: '/' })
 * // → [{ token: 'eyJ…', location: 'header:authorization', issuers: Set { 'auth@istioinaction.io' } }]
 */
export function extractTokens(rules: readonly JwtRule[], http: HttpRequestParts): ExtractedToken[] {
  const loc = locationsOf(rules);
  const out: ExtractedToken[] = [];
  for (const [, h] of byKey(loc.headers)) {
    for (const value of headerValues(http.headers, h.name)) {
      const token = afterPrefix(value, h.prefix);
      if (token !== undefined) out.push({ token, location: `header:${h.name}`, issuers: h.issuers });
    }
  }
  if (loc.params.size > 0) {
    const params = queryParams(http.path);
    for (const [name, issuers] of byKey(loc.params)) {
      const token = params.get(name);
      if (token !== null) out.push({ token, location: `param:${name}`, issuers });
    }
  }
  if (loc.cookies.size > 0) {
    const jar = cookies(http.headers);
    for (const [name, issuers] of byKey(loc.cookies)) {
      const token = jar.get(name);
      if (token !== undefined) out.push({ token, location: `cookie:${name}`, issuers });
    }
  }
  return out;
}
