/**
 * Identity headers are the proxy's to set: a client that sends its own
 * `X-Forwarded-Client-Cert` (or Istio's peer-metadata headers) could claim to
 * be anyone to an app that trusts them, so they are removed on arrival.
 * With `APPEND_FORWARD` (Istio's sidecar setting) an XFCC that came over a
 * verified mTLS connection — from another proxy — is kept and appended to;
 * on plaintext it is always removed, as Envoy does.
 */
import type { Layer } from './layer.js';

/** Envoy's `forward_client_cert_details` modes we implement. */
export type ForwardClientCert = 'SANITIZE_SET' | 'APPEND_FORWARD';

export const XFCC_HEADER = 'x-forwarded-client-cert';

/** Headers only a proxy may write; removed from every incoming request. */
export const IDENTITY_HEADERS: readonly string[] = ['x-envoy-peer-metadata', 'x-envoy-peer-metadata-id', 'x-istio-attributes'];

/**
 * @example
 * compose([stripIdentityHeaders('SANITIZE_SET'), …], app)
 */
export function stripIdentityHeaders(mode: ForwardClientCert): Layer {
  return (next) => (r) => {
    const h = r.req.headers;
    if (h[XFCC_HEADER] !== undefined && !(mode === 'APPEND_FORWARD' && r.conn.security === 'mutual_tls')) delete h[XFCC_HEADER];
    for (const name of IDENTITY_HEADERS) if (h[name] !== undefined) delete h[name];
    return next(r);
  };
}
