/**
 * The peer's SPIFFE identity from a certificate whose chain already verified
 * against the trust bundle (by OpenSSL on our servers, by identity/verify-chain.ts
 * when we dial). An X.509-SVID carries exactly one URI SAN, scheme `spiffe`, in a
 * trust domain we trust; anything else is refused (a chain that verifies but
 * names no one, or someone of another domain, is not a peer).
 */
import { createHash, X509Certificate } from 'node:crypto';
import { isSpiffeId, pathOf, principalOf, trustDomainOf, type SpiffeId } from '../../identity/spiffe-id.js';

export type PeerIdentityRefusal =
  | 'no-certificate'
  | 'no-uri-san'
  | 'several-uri-sans'
  | 'not-spiffe'
  | 'foreign-trust-domain'
  | 'no-workload-path'
  | 'unparsable-san';

export type PeerIdentity =
  | {
      ok: true;
      spiffeId: SpiffeId;
      /** `cluster.local/ns/default/sa/sleep`: the SPIFFE ID without scheme (`source.principal`). */
      principal: string;
      /** From `/ns/<ns>/…`; `''` when the path has another shape. */
      namespace: string;
      /** Lower-case hex SHA-256 of the leaf's DER, as in XFCC `Hash=`. */
      certHash: string;
      /** Subject DN as Envoy prints it (RFC 2253 order); `''` for SVIDs without one. */
      subject: string;
    }
  | { ok: false; reason: PeerIdentityRefusal };

/** A peer whose certificate chain verified and whose SPIFFE ID is of a trusted domain. */
export type VerifiedPeer = Extract<PeerIdentity, { ok: true }>;

const URI_PREFIX = 'URI:';

/** Node prints SANs as `URI:a, DNS:b`; a value with `,` or `"` is quoted — we refuse those rather than unquote. */
function uriSans(san: string | undefined): string[] | null {
  if (!san) return [];
  if (san.includes('"')) return null;
  return san.split(', ').filter((e) => e.startsWith(URI_PREFIX)).map((e) => e.slice(URI_PREFIX.length));
}

function namespaceOf(principal: string): string {
  const m = /^[^/]+\/ns\/([^/]+)\//.exec(principal);
  return m ? (m[1] as string) : '';
}

/** OpenSSL's one-line subject is `CN=a\nO=b` (most specific last); Envoy prints RFC 2253: reversed, comma-joined. */
function rfc2253(subject: string): string {
  return subject ? subject.split('\n').reverse().join(',') : '';
}

/**
 * The SPIFFE identity of a verified peer certificate.
 *
 * @example
 * const id = peerIdentityOf(socket.getPeerX509Certificate(), new Set(['cluster.local']));
 * if (id.ok) id.principal // 'cluster.local/ns/default/sa/sleep'
 */
export function peerIdentityOf(cert: X509Certificate | undefined, trustDomains: ReadonlySet<string>): PeerIdentity {
  if (!cert) return { ok: false, reason: 'no-certificate' };
  const uris = uriSans(cert.subjectAltName);
  if (uris === null) return { ok: false, reason: 'unparsable-san' };
  if (uris.length === 0) return { ok: false, reason: 'no-uri-san' };
  if (uris.length > 1) return { ok: false, reason: 'several-uri-sans' };
  const uri = uris[0] as string;
  if (!isSpiffeId(uri)) return { ok: false, reason: 'not-spiffe' };
  if (!trustDomains.has(trustDomainOf(uri))) return { ok: false, reason: 'foreign-trust-domain' };
  // `spiffe://cluster.local` names the trust domain (CA certificates), never a workload.
  if (pathOf(uri) === '') return { ok: false, reason: 'no-workload-path' };
  const principal = principalOf(uri);
  return {
    ok: true,
    spiffeId: uri,
    principal,
    namespace: namespaceOf(principal),
    certHash: createHash('sha256').update(cert.raw).digest('hex'),
    subject: rfc2253(cert.subject),
  };
}
