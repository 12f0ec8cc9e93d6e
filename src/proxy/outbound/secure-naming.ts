/**
 * Secure naming: after OpenSSL verified the destination's chain against the
 * bundle, the server's SPIFFE ID must be one of those allowed for the Service
 * (the identities of its endpoints). A valid SVID of another service is an
 * impostor — the handshake fails, and no request byte is ever sent.
 * The URI SAN is the name; DNS hostname checks do not apply.
 */
import type { PeerCertificate } from 'node:tls';
import { serverIdentityOf } from '../tls/peer-identity.js';
import { OUTBOUND_ERROR_CODES, OutboundError } from './errors.js';

/**
 * A `checkServerIdentity` for `tls.connect` that accepts only `allowedIds`.
 *
 * @example
 * tls.connect({ ...tlsCtx.clientOptions(), checkServerIdentity: secureNamingCheck(['spiffe://cluster.local/ns/istioinaction/sa/catalog'], tlsCtx.trustDomains()) })
 */
export function secureNamingCheck(allowedIds: readonly string[], trustDomains: () => ReadonlySet<string>): (host: string, cert: PeerCertificate) => Error | undefined {
  const allowed = new Set(allowedIds);
  return (_host, cert) => {
    const id = serverIdentityOf(cert, trustDomains());
    if (!id.ok) return new OutboundError(OUTBOUND_ERROR_CODES.SECURE_NAMING, `secure naming: server certificate refused (${id.reason})`);
    // Fail closed: a Service with no sidecar endpoints allows no identity at all.
    if (!allowed.has(id.spiffeId)) {
      return new OutboundError(OUTBOUND_ERROR_CODES.SECURE_NAMING, `secure naming: server identity ${id.spiffeId} is not allowed for this service`);
    }
    return undefined;
  };
}
