import { MeshguardError } from '../errors.js';

/**
 * Stable codes of the identity layer. Tests, logs and docs use the code; the message
 * is for people and never contains key material or tokens.
 */
export const IdentityErrorCode = {
  /** A string is not a SPIFFE ID / trust domain by the SPIFFE ID spec. */
  SPIFFE_ID_INVALID: 'MG_SPIFFE_ID_INVALID',
  /** The CSR is larger than we parse (64 KiB), refused before parsing. */
  CSR_TOO_LARGE: 'MG_CSR_TOO_LARGE',
  /** The CSR is not strict DER PKCS#10 of the shape we accept. */
  CSR_MALFORMED: 'MG_CSR_MALFORMED',
  /** The CSR's self-signature does not verify with its own key. */
  CSR_BAD_SIGNATURE: 'MG_CSR_BAD_SIGNATURE',
  /** RSA under 2048 bits, or an EC curve other than P-256/P-384. */
  CSR_WEAK_KEY: 'MG_CSR_WEAK_KEY',
  /** A key or signature algorithm we do not issue for (Ed25519, DSA, RSA-PSS, …). */
  CSR_UNSUPPORTED_KEY: 'MG_CSR_UNSUPPORTED_KEY',
  /** The CSR's URI SAN names another identity than the attested one. */
  CSR_SAN_MISMATCH: 'MG_CSR_SAN_MISMATCH',
  /** A CA key file is readable by group or others. */
  CA_KEY_PERMISSIONS: 'MG_CA_KEY_PERMISSIONS',
  /** A plugged-in CA directory is incomplete or inconsistent. */
  CA_FILES_INVALID: 'MG_CA_FILES_INVALID',
  /** The CA certificate has expired or is not yet valid: nothing can be issued. */
  CA_NOT_VALID_NOW: 'MG_CA_NOT_VALID_NOW',
  /** A minted credential failed the validator; it is never returned. */
  SVID_INVALID: 'MG_SVID_INVALID',
  /** A JWT-SVID failed validation (reason says which check). */
  JWT_SVID_INVALID: 'MG_JWT_SVID_INVALID',
  /** A SPIFFE bundle document is malformed. */
  BUNDLE_INVALID: 'MG_BUNDLE_INVALID',
  /** A rotation step was asked in a state that does not allow it. */
  ROTATION_STATE: 'MG_CA_ROTATION_STATE',
} as const;

export type IdentityErrorCodeValue = (typeof IdentityErrorCode)[keyof typeof IdentityErrorCode];

/** An identity-layer refusal; `reason` is a short machine-readable detail (`trailing-bytes`, `rsa-1024`). */
export class IdentityError extends MeshguardError {
  readonly reason: string | undefined;

  constructor(code: IdentityErrorCodeValue, message: string, options?: { reason?: string; cause?: unknown }) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = options?.reason;
  }
}

/** A CSR was refused; subclass so callers can count CSR refusals as one kind. */
export class CsrRefusedError extends IdentityError {}
