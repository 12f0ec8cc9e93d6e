/**
 * What the provider's answer means, as Envoy's HTTP ext_authz client reads it:
 * 200 allows (with the headers the provider may add upstream and downstream),
 * a 5xx is an error (then `failOpen` / `statusOnError` decide), anything else
 * denies with the provider's own status, body and headers.
 *
 * A provider may add headers to the request the app receives, but never the
 * headers only the proxy writes: an identity header (`X-Forwarded-Client-Cert`,
 * Istio's peer metadata) set here would let whoever answers the check speak
 * for the peer the app trusts; framing headers would desynchronize the hop.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { checkHeaderPairs } from '../http1/index.js';
import { headerMatches, type HeaderPattern, type HttpExtAuthzProvider } from './provider.js';

export interface CheckResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type CheckOutcome =
  | {
      kind: 'allow';
      /** Set on the request to the app, replacing the client's. */
      upstreamHeaders: Array<[string, string]>;
      /** Added to the app's response. */
      downstreamHeaders: Array<[string, string]>;
    }
  | { kind: 'deny'; status: number; body: Buffer; headers: Array<[string, string]> }
  | { kind: 'error'; reason: string };

/** Never taken from a provider's answer onto a request or response. */
export const PROTECTED_HEADERS: ReadonlySet<string> = new Set([
  'x-forwarded-client-cert', 'x-envoy-peer-metadata', 'x-envoy-peer-metadata-id', 'x-istio-attributes',
  'host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'te', 'trailer', 'upgrade', 'proxy-connection',
]);

/** Envoy adds these to a non-empty `allowed_client_headers` list (Istio's `headersToDownstreamOnDeny`). */
const DENY_ALWAYS: readonly HeaderPattern[] = ['path', 'status', 'www-authenticate', 'location'].map((value) => ({ kind: 'exact', value }));

function pick(headers: IncomingHttpHeaders, patterns: readonly HeaderPattern[] | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const name of Object.keys(headers)) {
    if (name.charCodeAt(0) === 58 /* ':' */ || PROTECTED_HEADERS.has(name)) continue;
    if (patterns !== undefined && !headerMatches(name, patterns)) continue;
    const v = headers[name];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const one of v) out.push([name, one]);
    else out.push([name, v]);
  }
  return out;
}

/**
 * Map the provider's answer.
 *
 * @example
 * mapCheckResponse(provider, { status: 403, headers: {}, body: Buffer.from('denied') })
 * // { kind: 'deny', status: 403, body: <denied>, headers: [] }
 */
export function mapCheckResponse(provider: HttpExtAuthzProvider, res: CheckResponse): CheckOutcome {
  if (!Number.isInteger(res.status) || res.status < 100 || res.status > 599) return { kind: 'error', reason: `invalid status ${res.status}` };
  if (res.status >= 500) return { kind: 'error', reason: `provider answered ${res.status}` };
  if (res.status === 200) {
    // An empty list means "leave the request as it is", not "copy everything".
    const upstreamHeaders = provider.upstreamOnAllow.length ? pick(res.headers, provider.upstreamOnAllow) : [];
    const downstreamHeaders = provider.downstreamOnAllow.length ? pick(res.headers, provider.downstreamOnAllow) : [];
    // They are written into heads as they are (the fast path trusts only its own parser's values): a
    // value that could split a head is the provider failing, as Envoy's codec would refuse it.
    try {
      checkHeaderPairs(upstreamHeaders);
      checkHeaderPairs(downstreamHeaders);
    } catch (err) {
      return { kind: 'error', reason: (err as Error).message };
    }
    return { kind: 'allow', upstreamHeaders, downstreamHeaders };
  }
  const deny = provider.downstreamOnDeny;
  return { kind: 'deny', status: res.status, body: res.body, headers: pick(res.headers, deny?.length ? [...deny, ...DENY_ALWAYS] : undefined) };
}
