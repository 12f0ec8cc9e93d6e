/**
 * End-user authentication (RequestAuthentication) with Envoy's answers: a bad
 * token is a 401 with `Jwt verification fails` (or a 403 for audiences) and a
 * `WWW-Authenticate` header; no token passes without identity (authorization
 * decides). Verified tokens are cached (see `token-cache.ts`). The token is
 * removed before the app sees it unless the rule says `forwardOriginalToken`,
 * as Istio configures Envoy.
 */
import type { JwtRule } from '../../config/kinds.js';
import { authenticate, type KeyResolver, type RequestAuthAttributes } from '../../policy/jwt/index.js';
import type { Handler, InboundRequest, Layer } from './layer.js';
import { localReply } from './local-reply.js';

/** `jwt_authn_access_denied{Jwt_verification_fails}`: Envoy's details, spaces as `_`. */
export function jwtDeniedDetails(body: string): string {
  return `jwt_authn_access_denied{${body.replace(/ /g, '_')}}`;
}

function hostOf(r: InboundRequest): string {
  const h = r.req.headers;
  return (h[':authority'] as string | undefined) ?? h.host ?? '';
}

/** The header value that alone decides the result, when the rules allow keying on it. */
function cacheKeyOf(r: InboundRequest): string | undefined | null {
  if (!r.state.jwtDefaultLocations || r.rawPath.includes('?')) return null;
  const v = r.req.headers.authorization;
  return typeof v === 'string' ? v : undefined;
}

/**
 * Set to undefined rather than deleted: every reader of the headers (the forwarders, authorization,
 * ext_authz) takes undefined as absent, and `delete` of a middle property turns the object into a slow
 * dictionary for the rest of the request (0.5 µs more to copy and write it).
 */
function dropToken(r: InboundRequest, rules: readonly JwtRule[], rule: number): void {
  if (r.state.jwtDefaultLocations && rules[rule]?.forwardOriginalToken !== true) r.req.headers.authorization = undefined;
}

/**
 * @example
 * compose([authenticateRequest(remoteKeyResolver()), …], app)
 */
export function authenticateRequest(keys: KeyResolver, now: () => number = Date.now): Layer {
  // Not an async function: a request with no token or a cached one (nearly all) goes on without a
  // promise per request; only a token to verify waits for the keys.
  return (next) => (r) => {
    const rules = r.state.jwtRules;
    if (rules.length === 0) return next(r);
    const key = cacheKeyOf(r);
    // Default locations, no query string and no Authorization header: there is no token anywhere.
    if (key === undefined) return next(r);
    const nowMs = now();
    if (key !== null) {
      const hit = r.state.tokenCache.get(key, nowMs);
      if (hit) {
        r.auth = hit.attrs;
        dropToken(r, rules, hit.rule);
        return next(r);
      }
    }
    return verifyThenNext(r, next, rules, keys, key, nowMs);
  };
}

async function verifyThenNext(r: InboundRequest, next: Handler, rules: readonly JwtRule[], keys: KeyResolver, key: string | null, nowMs: number): Promise<void> {
  const headers = r.req.headers as Record<string, string | string[] | undefined>;
  const result = await authenticate(rules, { headers, path: r.rawPath, host: hostOf(r), scheme: 'http' }, keys, new Date(nowMs));
  if (result.result === 'invalid') {
    return localReply(r, result.status, result.body, jwtDeniedDetails(result.body), { headers: { 'www-authenticate': result.wwwAuthenticate } });
  }
  if (result.result === 'valid') {
    const { principal, issuer, audiences, presenter, claims, spaceDelimited } = result;
    const attrs: RequestAuthAttributes = { principal, issuer, audiences, claims, spaceDelimited, ...(presenter !== undefined ? { presenter } : {}) };
    r.auth = attrs;
    if (key !== null) r.state.tokenCache.set(key, attrs, result.rule, claims.exp, nowMs);
    dropToken(r, rules, result.rule);
  }
  return next(r);
}
