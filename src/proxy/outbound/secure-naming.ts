/**
 * Secure naming: after the destination's chain verified against the bundle
 * (tls/dial-mtls.ts), the server's SPIFFE ID must be one of those allowed for the Service
 * (the identities of its endpoints). A valid SVID of another service is an
 * impostor — the handshake fails, and no request byte is ever sent.
 * The URI SAN is the name; DNS hostname checks do not apply.
 */
import type { VerifiedPeer } from '../tls/peer-identity.js';
import { OUTBOUND_ERROR_CODES, OutboundError } from './errors.js';

/**
 * The verdict on a destination whose chain verified: only `allowedIds` may answer for it.
 *
 * @example
 * tlsCtx.dial({ host: '127.10.0.2', port: 15006 }, secureNamingCheck(['spiffe://cluster.local/ns/istioinaction/sa/catalog']), onVerified)
 */
export function secureNamingCheck(allowedIds: readonly string[]): (peer: VerifiedPeer) => Error | undefined {
  const allowed = new Set(allowedIds);
  return (peer) => {
    // Fail closed: a Service with no sidecar endpoints allows no identity at all.
    if (!allowed.has(peer.spiffeId)) {
      return new OutboundError(OUTBOUND_ERROR_CODES.SECURE_NAMING, `secure naming: server identity ${peer.spiffeId} is not allowed for this service`);
    }
    return undefined;
  };
}
