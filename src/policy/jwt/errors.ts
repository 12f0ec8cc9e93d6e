/**
 * Why a JWT was refused: one catalogue of stable codes, each with the HTTP
 * status and the exact body Envoy's `jwt_authn` filter answers with (its
 * `getStatusString` table in `source/common/jwt/status.cc`), so clients and
 * scripts written against Istio see the same bytes from meshguard.
 */
import { MeshguardError } from '../../errors.js';

interface Failure {
  status: 401 | 403;
  body: string;
}

/** code → Envoy's answer. Only an audience mismatch is 403, as in Envoy's filter. */
export const JWT_FAILURES = {
  MG_JWT_MISSING: { status: 401, body: 'Jwt is missing' },
  MG_JWT_EXPIRED: { status: 401, body: 'Jwt is expired' },
  MG_JWT_NOT_YET_VALID: { status: 401, body: 'Jwt not yet valid' },
  MG_JWT_BAD_FORMAT: {
    status: 401,
    body: 'Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections',
  },
  MG_JWT_HEADER_INVALID: { status: 401, body: 'Jwt header is an invalid JSON' },
  MG_JWT_HEADER_BAD_ALG: { status: 401, body: 'Jwt header [alg] field is required and must be a string' },
  MG_JWT_ALG_NOT_SUPPORTED: { status: 401, body: 'Jwt header [alg] is not supported' },
  MG_JWT_HEADER_BAD_KID: { status: 401, body: 'Jwt header [kid] field is not a string' },
  MG_JWT_PAYLOAD_INVALID: { status: 401, body: 'Jwt payload is an invalid JSON' },
  MG_JWT_CLAIM_BAD_TYPE: { status: 401, body: 'Jwt payload is an invalid JSON' },
  MG_JWT_UNKNOWN_ISSUER: { status: 401, body: 'Jwt issuer is not configured' },
  MG_JWT_AUDIENCE_NOT_ALLOWED: { status: 403, body: 'Audiences in Jwt are not allowed' },
  MG_JWT_VERIFICATION_FAILED: { status: 401, body: 'Jwt verification fails' },
  MG_JWT_NO_MATCHING_KEY: { status: 401, body: "Jwks doesn't have key to match kid or alg from Jwt" },
  MG_JWT_NO_VALID_KEYS: { status: 401, body: "Jwks doesn't have any valid public key" },
  MG_JWT_JWKS_FETCH_FAILED: { status: 401, body: 'Jwks remote fetch is failed' },
} as const satisfies Record<string, Failure>;

export type JwtFailureCode = keyof typeof JWT_FAILURES;

/** Envoy's per-claim type errors (`Jwt payload [exp] field is not an integer`, …). */
export function claimTypeBody(claim: string, expected: 'a string' | 'an integer' | 'a string or string list'): string {
  return `Jwt payload [${claim}] field is not ${expected}`;
}

/**
 * A refused token, as a value: authentication never throws on bad input. The
 * message names the failure only — never the token or its claims.
 */
export class JwtAuthnError extends MeshguardError {
  readonly status: 401 | 403;
  readonly body: string;

  constructor(code: JwtFailureCode, options?: { body?: string; cause?: unknown }) {
    const failure: Failure = JWT_FAILURES[code];
    const body = options?.body ?? failure.body;
    super(code, body, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = failure.status;
    this.body = body;
  }
}
