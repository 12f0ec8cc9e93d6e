/** Errors of the workload's identity client and its stand-in CA: each with a stable `code`. */
import { MeshguardError } from '../../errors.js';

export const IDENTITY_CLIENT_ERROR_CODES = {
  /** `current()` was called before the first SVID arrived (`start()` not awaited). */
  NOT_READY: 'MG_IDENTITY_NOT_READY',
  /** The CA answered with a certificate we did not ask for (other key, other ID, not valid now). */
  SVID_MISMATCH: 'MG_IDENTITY_SVID_MISMATCH',
  /** The key file could not be written with mode 0600. */
  KEY_FILE: 'MG_IDENTITY_KEY_FILE',
  /** The CA could not be reached or is overloaded: retry later. */
  CA_UNAVAILABLE: 'MG_CA_UNAVAILABLE',
  /** The credentials presented to the CA (attestation or client certificate) were refused. */
  CA_UNAUTHENTICATED: 'MG_CA_UNAUTHENTICATED',
} as const;

export type IdentityClientErrorCode = (typeof IDENTITY_CLIENT_ERROR_CODES)[keyof typeof IDENTITY_CLIENT_ERROR_CODES];

/**
 * An identity-client failure. `retryable` says whether asking again later can succeed;
 * messages never contain keys, tokens or PEM.
 */
export class IdentityClientError extends MeshguardError {
  readonly reason: string;
  readonly retryable: boolean;

  constructor(code: IdentityClientErrorCode, message: string, options: { reason: string; retryable?: boolean; cause?: unknown }) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = options.reason;
    this.retryable = options.retryable ?? false;
  }
}
