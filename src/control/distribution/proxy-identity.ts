/**
 * Does the proxy's certificate agree with its `hello`? Istio's istiod reads the
 * proxy's identity from its client certificate and serves it nothing else; here
 * the `hello` names the workload (a certificate names only namespace and service
 * account), so the two must agree: the SVID's trust domain is ours, its namespace
 * is the hello's, and its service account is the one the workload runs as.
 */
import type { X509Certificate } from 'node:crypto';
// The module itself, not the `identity/` barrel, which also loads the CA.
import { parseSpiffeId, trustDomainOf, type SpiffeId } from '../../identity/spiffe-id.js';

export type ProxyIdentityCheck =
  | { ok: true; spiffeId: SpiffeId }
  | { ok: false; reason: 'no-certificate' | 'no-spiffe-id' | 'foreign-trust-domain' | 'not-a-workload' | 'namespace' | 'service-account'; peer: string | null };

const WORKLOAD_PATH = /^\/ns\/([^/]+)\/sa\/([^/]+)$/;

/** The one SPIFFE ID of a certificate, or null when it has none or several (then it is no SVID). */
export function spiffeIdOf(cert: X509Certificate): SpiffeId | null {
  const san = cert.subjectAltName ?? '';
  // Node quotes a SAN holding `,` or `"`; such a value is no SPIFFE ID, so refuse rather than unquote.
  if (san.includes('"')) return null;
  const uris = san.split(', ').filter((n) => n.startsWith('URI:')).map((n) => n.slice(4));
  if (uris.length !== 1) return null;
  try {
    return parseSpiffeId(uris[0]!);
  } catch {
    return null;
  }
}

/**
 * @example
 *   checkProxyIdentity(socket.getPeerX509Certificate(), { namespace: 'shop' }, 'cluster.local', 'web-sa')
 *   // { ok: true, spiffeId: 'spiffe://cluster.local/ns/shop/sa/web-sa' }
 */
export function checkProxyIdentity(
  peer: X509Certificate | undefined, hello: { namespace: string }, trustDomain: string, serviceAccount: string,
): ProxyIdentityCheck {
  if (!peer) return { ok: false, reason: 'no-certificate', peer: null };
  const id = spiffeIdOf(peer);
  if (!id) return { ok: false, reason: 'no-spiffe-id', peer: null };
  if (trustDomainOf(id) !== trustDomain) return { ok: false, reason: 'foreign-trust-domain', peer: id };
  const m = WORKLOAD_PATH.exec(id.slice(`spiffe://${trustDomain}`.length));
  if (!m) return { ok: false, reason: 'not-a-workload', peer: id };
  if (m[1] !== hello.namespace) return { ok: false, reason: 'namespace', peer: id };
  if (m[2] !== serviceAccount) return { ok: false, reason: 'service-account', peer: id };
  return { ok: true, spiffeId: id };
}
