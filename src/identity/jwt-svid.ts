// JWT-SVIDs (SPIFFE JWT-SVID spec): minted ES256 with jose, validated with jose; never by hand.
import { createLocalJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { KeyObject } from 'node:crypto';
import { IdentityError, IdentityErrorCode } from './errors.js';
import { parseSpiffeId, trustDomainOf, type SpiffeId, type TrustDomain } from './spiffe-id.js';

/** JWT-SVIDs are bearer tokens: short by default (SPIRE's 5 minutes) … */
export const DEFAULT_JWT_SVID_TTL_SECONDS = 5 * 60;
/** … and never long: a stolen token is usable until it expires. */
export const MAX_JWT_SVID_TTL_SECONDS = 60 * 60;
/** Algorithms a JWT-SVID may be signed with (SPIFFE JWT-SVID §3); meshguard mints ES256. */
export const JWT_SVID_ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256'] as const;

/** The trust domain's JWT signing key: a P-256 private key and the `kid` the bundle lists. */
export interface JwtSigningKey {
  kid: string;
  privateKey: KeyObject;
}

export interface JwtSvidClaims {
  spiffeId: SpiffeId;
  audience: string[];
  expiresAt: Date;
  issuedAt: Date | undefined;
}

/**
 * Mints a JWT-SVID for `spiffeId`. An audience is required (SPIFFE: a JWT-SVID without
 * one is replayable anywhere); the lifetime is capped at `MAX_JWT_SVID_TTL_SECONDS`.
 * @example const jwt = await mintJwtSvid({ spiffeId, audience: ['billing'], key, now: () => new Date() });
 */
export async function mintJwtSvid(options: {
  spiffeId: SpiffeId;
  audience: string[];
  key: JwtSigningKey;
  now: () => Date;
  ttlSeconds?: number;
}): Promise<string> {
  if (options.audience.length === 0 || options.audience.some((a) => a.length === 0)) {
    throw new TypeError('a JWT-SVID needs at least one non-empty audience');
  }
  const iat = Math.floor(options.now().getTime() / 1000);
  const ttl = Math.min(options.ttlSeconds ?? DEFAULT_JWT_SVID_TTL_SECONDS, MAX_JWT_SVID_TTL_SECONDS);
  if (!(ttl > 0)) throw new TypeError('ttlSeconds must be positive');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: options.key.kid, typ: 'JWT' })
    .setSubject(options.spiffeId)
    .setAudience(options.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .sign(options.key.privateKey);
}

function invalid(reason: string, message: string, cause?: unknown): IdentityError {
  return new IdentityError(IdentityErrorCode.JWT_SVID_INVALID, `JWT-SVID rejected: ${message}`, { reason, cause });
}

/**
 * Validates a JWT-SVID: signature by a key of the bundle (`use: jwt-svid`), `aud` must
 * contain `audience`, `exp` required and in the future, `sub` a SPIFFE ID of `trustDomain`.
 * The signature is checked before any claim (jose's order).
 * @example const { spiffeId } = await validateJwtSvid(token, { audience: 'billing', keys: bundle.jwtKeys, trustDomain, now });
 */
export async function validateJwtSvid(token: string, options: {
  audience: string;
  keys: JSONWebKeySet | JWTVerifyGetKey;
  trustDomain: TrustDomain;
  now: () => Date;
}): Promise<JwtSvidClaims> {
  if (!options.audience) throw new TypeError('validateJwtSvid needs an audience');
  const getKey = typeof options.keys === 'function' ? options.keys : createLocalJWKSet(options.keys);
  let payload;
  try {
    ({ payload } = await jwtVerify(token, getKey, {
      algorithms: [...JWT_SVID_ALGORITHMS],
      audience: options.audience,
      currentDate: options.now(),
      requiredClaims: ['sub', 'aud', 'exp'],
    }));
  } catch (err) {
    throw mapJoseError(err);
  }
  let spiffeId: SpiffeId;
  try {
    spiffeId = parseSpiffeId(payload.sub ?? '');
  } catch (cause) {
    throw invalid('subject', 'sub is not a SPIFFE ID', cause);
  }
  if (trustDomainOf(spiffeId) !== options.trustDomain) throw invalid('trust-domain', `sub is not in trust domain ${options.trustDomain}`);
  const aud = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
  return { spiffeId, audience: aud, expiresAt: new Date(payload.exp! * 1000), issuedAt: payload.iat === undefined ? undefined : new Date(payload.iat * 1000) };
}

function mapJoseError(err: unknown): IdentityError {
  if (err instanceof joseErrors.JWTExpired) return invalid('expired', 'token is expired', err);
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    return invalid(err.claim === 'aud' ? 'audience' : `claim-${err.claim}`, `claim ${err.claim} check failed (${err.reason})`, err);
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return invalid('signature', 'signature does not verify', err);
  if (err instanceof joseErrors.JWKSNoMatchingKey) return invalid('unknown-key', 'no bundle key matches the token', err);
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return invalid('algorithm', 'algorithm not allowed', err);
  if (err instanceof joseErrors.JOSEError) return invalid('malformed', 'token is malformed', err);
  return invalid('malformed', 'token could not be verified', err);
}
