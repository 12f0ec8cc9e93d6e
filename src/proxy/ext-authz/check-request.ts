/**
 * The HTTP check request Envoy's ext_authz filter sends for one request: the
 * same method, `pathPrefix` + the (normalized) path with its query, `Host` of
 * the original request, `Content-Length` of what is sent, `Authorization`,
 * and only the client headers the provider lists (`includeRequestHeadersInCheck`)
 * plus its fixed ones (`includeAdditionalHeadersInCheck`, which win). Nothing
 * else of the client's reaches the provider: a header it would trust
 * (`x-ext-authz: allow`, `x-user`) only arrives when the mesh config says so.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { headerMatches, type HttpExtAuthzProvider } from './provider.js';

/** What the check needs from the request being authorized. */
export interface CheckInput {
  method: string;
  /** `:authority` / `Host` as the client sent it. */
  authority: string;
  /** Normalized path plus the original query (what the app would receive). */
  path: string;
  headers: IncomingHttpHeaders;
  /** The buffered body, when the provider asked for it (`includeRequestBodyInCheck`). */
  body?: Buffer;
}

export interface CheckRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | null;
}

/** Sent whatever the provider lists (Envoy adds them to every `allowed_headers`). */
const ALWAYS_SENT = new Set(['authorization']);
/** Set by us from the request itself, never copied from the client's headers. */
const NEVER_COPIED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'te', 'upgrade', 'proxy-connection', 'expect']);

function joined(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * Build the check request.
 *
 * @example
 * buildCheckRequest(provider, { method: 'GET', authority: 'webapp.istioinaction', path: '/api/catalog', headers: { 'x-ext-authz': 'allow' } })
 * // { method: 'GET', path: '/api/catalog', headers: { host: 'webapp.istioinaction', 'x-ext-authz': 'allow', 'content-length': '0' }, body: null }
 */
export function buildCheckRequest(provider: HttpExtAuthzProvider, input: CheckInput): CheckRequest {
  const headers: Record<string, string> = { host: input.authority };
  for (const name of Object.keys(input.headers)) {
    if (name.charCodeAt(0) === 58 /* ':' */ || NEVER_COPIED.has(name)) continue;
    if (!ALWAYS_SENT.has(name) && !headerMatches(name, provider.includeRequestHeaders)) continue;
    const v = joined(input.headers[name]);
    if (v !== undefined) headers[name] = v;
  }
  for (const [name, value] of provider.additionalHeaders) {
    if (!NEVER_COPIED.has(name)) headers[name] = value;
  }
  const body = input.body && input.body.length > 0 ? input.body : null;
  // Content-Length is what the provider receives: 0 without a body (Istio's documented behaviour).
  headers['content-length'] = String(body ? body.length : 0);
  return { method: input.method, path: provider.pathPrefix + input.path, headers, body };
}
