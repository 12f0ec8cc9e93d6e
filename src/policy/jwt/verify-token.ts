/**
 * One token against the rules that read its location, in Envoy's order:
 * format and header → payload claim types → issuer (which rule, which keys) →
 * signature (jose) → time and audience (jose, 60 s skew as Envoy allows).
 *
 * Deliberate difference from Envoy: Envoy checks `exp`/`nbf`/`aud` before the
 * signature; jose checks the signature first, so a token that is both forged
 * and expired reads `Jwt verification fails` here instead of `Jwt is expired`.
 * No claim is believed before its signature is.
 *
 * Nothing here parses JSON or base64 by hand: jose decodes the header and
 * payload (unverified, only to choose the rule, exactly as Envoy does) and
 * `jwtVerify` decides.
 */
import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { JwtRule } from '../../config/kinds.js';
import { claimTypeBody, JwtAuthnError } from './errors.js';
import type { KeyResolver } from './key-resolver.js';

/** Envoy's clock skew default (`kClockSkewInSecond`): 60 s each way for exp and nbf. */
export const CLOCK_SKEW_SECONDS = 60;

/**
 * Tokens longer than this are refused before decoding. Envoy's own bound is the
 * 60 KiB request-header limit; we keep the same order of magnitude so a huge
 * token costs nothing but a length check.
 */
export const MAX_TOKEN_LENGTH = 16 * 1024;

/** The algorithms Envoy's jwt_authn verifies; anything else (`none`, …) is unsupported. */
export const SUPPORTED_ALGS: readonly string[] = Object.freeze([
  'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA',
]);

export interface VerifiedToken {
  payload: JWTPayload;
  /** Index of the rule (in the list given) that verified it. */
  rule: number;
}

function checkShape(token: string): { alg: string; payload: JWTPayload } {
  if (token.length > MAX_TOKEN_LENGTH || token.split('.').length !== 3) throw new JwtAuthnError('MG_JWT_BAD_FORMAT');
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
  } catch (cause) {
    throw new JwtAuthnError('MG_JWT_HEADER_INVALID', { cause });
  }
  if (typeof header.alg !== 'string') throw new JwtAuthnError('MG_JWT_HEADER_BAD_ALG');
  if (!SUPPORTED_ALGS.includes(header.alg)) throw new JwtAuthnError('MG_JWT_ALG_NOT_SUPPORTED');
  if (header.kid !== undefined && typeof header.kid !== 'string') throw new JwtAuthnError('MG_JWT_HEADER_BAD_KID');
  let payload: JWTPayload;
  try {
    payload = decodeJwt(token);
  } catch (cause) {
    throw new JwtAuthnError('MG_JWT_PAYLOAD_INVALID', { cause });
  }
  checkClaimTypes(payload);
  return { alg: header.alg, payload };
}

function checkClaimTypes(p: JWTPayload): void {
  for (const claim of ['iss', 'sub', 'jti'] as const) {
    if (p[claim] !== undefined && typeof p[claim] !== 'string') {
      throw new JwtAuthnError('MG_JWT_CLAIM_BAD_TYPE', { body: claimTypeBody(claim, 'a string') });
    }
  }
  for (const claim of ['iat', 'nbf', 'exp'] as const) {
    if (p[claim] !== undefined && typeof p[claim] !== 'number') {
      throw new JwtAuthnError('MG_JWT_CLAIM_BAD_TYPE', { body: claimTypeBody(claim, 'an integer') });
    }
  }
  const aud = p.aud;
  if (aud !== undefined && typeof aud !== 'string' && !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))) {
    throw new JwtAuthnError('MG_JWT_CLAIM_BAD_TYPE', { body: claimTypeBody('aud', 'a string or string list') });
  }
}

/** jose's error codes → ours. Unknown errors fail closed as a verification failure. */
function mapJoseError(err: unknown, rule: JwtRule): JwtAuthnError {
  const code = (err as { code?: unknown } | null)?.code;
  const claim = (err as { claim?: unknown } | null)?.claim;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return new JwtAuthnError('MG_JWT_EXPIRED', { cause: err });
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'nbf') return new JwtAuthnError('MG_JWT_NOT_YET_VALID', { cause: err });
      if (claim === 'aud') return new JwtAuthnError('MG_JWT_AUDIENCE_NOT_ALLOWED', { cause: err });
      if (claim === 'iss') return new JwtAuthnError('MG_JWT_UNKNOWN_ISSUER', { cause: err });
      return new JwtAuthnError('MG_JWT_VERIFICATION_FAILED', { cause: err });
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JOSE_NOT_SUPPORTED': // e.g. HS256 against a set of public keys: alg confusion
      return new JwtAuthnError('MG_JWT_NO_MATCHING_KEY', { cause: err });
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new JwtAuthnError('MG_JWT_ALG_NOT_SUPPORTED', { cause: err });
    case 'ERR_JWKS_INVALID':
      return new JwtAuthnError('MG_JWT_NO_VALID_KEYS', { cause: err });
    case 'ERR_JWKS_TIMEOUT':
      return new JwtAuthnError('MG_JWT_JWKS_FETCH_FAILED', { cause: err });
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new JwtAuthnError('MG_JWT_VERIFICATION_FAILED', { cause: err });
    default:
      // A remote key set that could not be fetched surfaces as a non-jose error
      // (or jose's generic one); for inline keys anything else is a bad token.
      if (rule.jwksUri && !rule.jwks && (code === undefined || code === 'ERR_JOSE_GENERIC')) {
        return new JwtAuthnError('MG_JWT_JWKS_FETCH_FAILED', { cause: err });
      }
      return new JwtAuthnError('MG_JWT_VERIFICATION_FAILED', { cause: err });
  }
}

/**
 * Verify `token` read from a location where `issuers` are allowed, against the
 * first of `rules` with the token's issuer. Throws `JwtAuthnError` (with
 * Envoy's body) on any failure; never anything else.
 *
 * @example
 * const { payload, rule } = await verifyToken(tok, new Set(['auth@istioinaction.io']), rules, keys, now);
 */
export async function verifyToken(
  token: string,
  issuers: ReadonlySet<string>,
  rules: readonly JwtRule[],
  keys: KeyResolver,
  now: Date,
): Promise<VerifiedToken> {
  const { alg, payload } = checkShape(token);
  const iss = payload.iss ?? '';
  const index = issuers.has(iss) ? rules.findIndex((r) => r.issuer === iss) : -1;
  const rule = rules[index];
  if (!rule) throw new JwtAuthnError('MG_JWT_UNKNOWN_ISSUER');
  let getKey;
  try {
    getKey = keys.keysFor(rule);
  } catch (cause) {
    throw mapJoseError(cause, rule);
  }
  if (!getKey) throw new JwtAuthnError('MG_JWT_NO_VALID_KEYS');
  try {
    const audience = rule.audiences && rule.audiences.length > 0 ? rule.audiences : undefined;
    const verified = await jwtVerify(token, getKey, {
      issuer: rule.issuer,
      ...(audience ? { audience } : {}),
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: now,
      // Pin to the token's own (already vetted) alg; the key set's JWK `alg`/`kty`
      // then decide whether a key may verify it.
      algorithms: [alg],
    });
    return { payload: verified.payload, rule: index };
  } catch (err) {
    throw mapJoseError(err, rule);
  }
}
