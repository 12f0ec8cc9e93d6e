/** Errors of the proxy's TLS layer: each with a stable `code` and the reason as a field. */
import { MeshguardError } from '../../errors.js';

export const TLS_ERROR_CODES = {
  /** The peer's certificate is not a usable X.509-SVID for this mesh. */
  PEER_IDENTITY_REFUSED: 'MG_TLS_PEER_IDENTITY_REFUSED',
  /** The server's certificate chain does not verify against the trust bundle (checked by meshguard, not OpenSSL). */
  PEER_CHAIN_REFUSED: 'MG_TLS_PEER_CHAIN_REFUSED',
  /** Our own identity could not be turned into a TLS context (bad PEM, key mismatch). */
  CONTEXT_INVALID: 'MG_TLS_CONTEXT_INVALID',
} as const;

export type TlsErrorCode = (typeof TLS_ERROR_CODES)[keyof typeof TLS_ERROR_CODES];

export class TlsError extends MeshguardError {
  readonly reason: string;

  constructor(code: TlsErrorCode, message: string, options: { reason: string; cause?: unknown }) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = options.reason;
  }
}
