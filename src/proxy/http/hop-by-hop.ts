/**
 * Headers that belong to one connection, not to the request (RFC 9110 §7.6.1),
 * and HTTP/2 pseudo-headers: a proxy never forwards them as they are.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** Connection-specific headers; HTTP/2 forbids them outright (RFC 9113 §8.2.2). */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'http2-settings', 'proxy-authenticate', 'proxy-authorization',
]);

const NONE: readonly string[] = [];

/**
 * The header names a `Connection` value lists. Nearly every one says only `keep-alive` or `close`
 * (names that are hop-by-hop anyway): answered without splitting the value.
 */
function namedIn(connection: unknown): readonly string[] {
  if (typeof connection !== 'string') return NONE;
  const v = connection.toLowerCase();
  if (v === 'keep-alive' || v === 'close') return NONE;
  return v.split(',').map((s) => s.trim());
}

/**
 * A copy of `headers` fit to send on another connection: no hop-by-hop headers,
 * none named in `Connection`, no pseudo-headers (`:path`, …). `te: trailers`
 * survives when the next hop is HTTP/2 (gRPC requires it).
 *
 * @example
 * forwardableHeaders({ connection: 'x-a', 'x-a': '1', host: 'web' }, false) // { host: 'web' }
 */
export function forwardableHeaders(headers: IncomingHttpHeaders, http2Next: boolean): OutgoingHttpHeaders {
  const named = namedIn(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const key in headers) {
    if (key.charCodeAt(0) === 58 /* ':' */) continue;
    const v = headers[key];
    if (v === undefined) continue;
    if (HOP_BY_HOP.has(key) || (named.length > 0 && named.includes(key))) {
      if (key === 'te' && http2Next && String(v).toLowerCase() === 'trailers') out.te = 'trailers';
      continue;
    }
    out[key] = v;
  }
  return out;
}

/**
 * The same rule for an ordered list of lowercased `[name, value]` pairs (a
 * response head as the fast path parsed it; repeated names stay repeated).
 *
 * @example
 * forwardablePairs([['connection', 'close'], ['set-cookie', 'a'], ['set-cookie', 'b']]) // [['set-cookie', 'a'], ['set-cookie', 'b']]
 */
export function forwardablePairs(pairs: ReadonlyArray<[string, string]>): Array<[string, string]> {
  let named: readonly string[] = NONE;
  for (const [k, v] of pairs) {
    if (k !== 'connection') continue;
    const listed = namedIn(v);
    if (listed.length > 0) named = named.concat(listed);
  }
  const out: Array<[string, string]> = [];
  for (const p of pairs) if (!HOP_BY_HOP.has(p[0]) && !(named.length > 0 && named.includes(p[0]))) out.push(p);
  return out;
}
