/**
 * Errors of the CA service, and how every refusal travels on the CA API: the
 * stable code → gRPC status table. Identity-layer and attestation codes are
 * listed here too, so one table says what a caller sees for each.
 */
import { status } from '@grpc/grpc-js';
import { MeshguardError } from '../../errors.js';

export class CaServiceError extends MeshguardError {}

/** Codes the CA service itself raises. */
export const CaServiceErrorCode = {
  /** The request is not the documented shape (unknown field, two CSRs, empty audience…). */
  BAD_REQUEST: 'MG_CA_BAD_REQUEST',
  /** Renew/MintJwtSvid without a client certificate that chains to a trusted root. */
  MTLS_REQUIRED: 'MG_CA_MTLS_REQUIRED',
  /** The peer certificate names no SPIFFE ID of this trust domain. */
  PEER_NOT_IN_TRUST_DOMAIN: 'MG_CA_PEER_NOT_IN_TRUST_DOMAIN',
  /** The peer certificate was not issued by this CA (or its record was lost): attest again. */
  UNKNOWN_CERTIFICATE: 'MG_CA_UNKNOWN_CERTIFICATE',
  /** `ca rotate` on a plugged-in CA (Istio cacerts / cert-manager): rotate it where it is managed. */
  ROTATION_UNSUPPORTED: 'MG_CA_ROTATION_UNSUPPORTED',
  /** Anything unexpected; details are in the control plane's log only. */
  INTERNAL: 'MG_CA_INTERNAL',
} as const;

/** Stable code → gRPC status (INVALID_ARGUMENT unless listed). */
export const CA_GRPC_STATUS: Record<string, status> = {
  MG_CA_MTLS_REQUIRED: status.UNAUTHENTICATED,
  MG_CA_PEER_NOT_IN_TRUST_DOMAIN: status.PERMISSION_DENIED,
  MG_CA_UNKNOWN_CERTIFICATE: status.PERMISSION_DENIED,
  MG_CA_INTERNAL: status.INTERNAL,
  MG_CA_NOT_VALID_NOW: status.FAILED_PRECONDITION,
  MG_SVID_INVALID: status.INTERNAL,
  MG_ATTEST_MALFORMED: status.INVALID_ARGUMENT,
  MG_ATTEST_TOKEN_UNKNOWN: status.UNAUTHENTICATED,
  MG_ATTEST_TOKEN_USED: status.UNAUTHENTICATED,
  MG_ATTEST_TOKEN_EXPIRED: status.UNAUTHENTICATED,
  MG_ATTEST_TOKEN_REVOKED: status.UNAUTHENTICATED,
  MG_ATTEST_WRONG_KIND: status.UNAUTHENTICATED,
  MG_ATTEST_UNAUTHENTICATED: status.UNAUTHENTICATED,
  MG_ATTEST_WRONG_AUDIENCE: status.UNAUTHENTICATED,
  MG_ATTEST_IDENTITY_MISMATCH: status.PERMISSION_DENIED,
  MG_ATTEST_NOT_SERVICE_ACCOUNT: status.PERMISSION_DENIED,
  MG_ATTEST_UNAVAILABLE: status.UNAVAILABLE,
  MG_ATTEST_UNKNOWN_ATTESTOR: status.INVALID_ARGUMENT,
  MG_RENEWAL_ENTRY_DELETED: status.PERMISSION_DENIED,
  MG_RENEWAL_TOKEN_REVOKED: status.PERMISSION_DENIED,
};

/** The gRPC status a refusal with `code` is sent with. */
export function grpcStatusFor(code: string): status {
  return CA_GRPC_STATUS[code] ?? status.INVALID_ARGUMENT;
}
