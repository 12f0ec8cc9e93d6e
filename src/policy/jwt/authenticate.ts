/**
 * End-user authentication of one request, with the outcome Istio's generated
 * Envoy config gives: every jwtRule is a provider, and the requirement is
 * `requires_any` of all providers plus `allow_missing`. So:
 *
 * - no token at any rule's location → `absent` (admitted, no identity);
 * - a rule whose locations hold only tokens it verifies → `valid` (first such
 *   rule in order; its first token gives the identity);
 * - otherwise every token found is checked against the rule naming its issuer,
 *   and the first failure is the answer (401, or 403 for audiences).
 *
 * Deliberate difference: when several tokens fail in that last step Envoy's
 * `allow_missing` keeps the status of the last one it processed (and can end
 * `Ok` if that one was good); we refuse on any bad token — fail closed.
 */
import type { JwtRule } from '../../config/kinds.js';
import { claimsToAuthAttributes, type RequestAuthAttributes } from './claims.js';
import { JwtAuthnError, type JwtFailureCode } from './errors.js';
import { extractTokens, type HttpRequestParts } from './extract-tokens.js';
import type { KeyResolver } from './key-resolver.js';
import { verifyToken, type VerifiedToken } from './verify-token.js';

export type AuthnResult =
  | { result: 'absent'; reason: string }
  | ({ result: 'valid'; rule: number; location: string; reason: string } & RequestAuthAttributes)
  | {
      result: 'invalid';
      status: 401 | 403;
      body: string;
      wwwAuthenticate: string;
      code: JwtFailureCode;
      location: string;
      reason: string;
    };

/** Envoy's `buildOriginalUri` cap on the realm it reports. */
const MAX_REALM_LENGTH = 256;

function realm(http: HttpRequestParts): string {
  const hostHeader = http.headers.host ?? http.headers[':authority'];
  const host = http.host ?? (typeof hostHeader === 'string' ? hostHeader : '');
  const q = http.path.indexOf('?');
  const uri = `${http.scheme ?? 'http'}://${host}${q < 0 ? http.path : http.path.slice(0, q)}`;
  return uri.slice(0, MAX_REALM_LENGTH);
}

/** The realm is quoted: drop quotes, backslashes and control characters a client put in Host. */
function quotable(s: string): string {
  return [...s].filter((c) => c !== '"' && c !== '\\' && c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f).join('');
}

function invalid(err: unknown, location: string, http: HttpRequestParts): AuthnResult {
  // verifyToken throws only JwtAuthnError; anything else is our bug, still a 401.
  const e = err instanceof JwtAuthnError ? err : new JwtAuthnError('MG_JWT_VERIFICATION_FAILED', { cause: err });
  return {
    result: 'invalid',
    status: e.status,
    body: e.body,
    wwwAuthenticate: `Bearer realm="${quotable(realm(http))}", error="invalid_token"`,
    code: e.code as JwtFailureCode,
    location,
    reason: `token at ${location} refused: ${e.body}`,
  };
}

function valid(v: VerifiedToken, rules: readonly JwtRule[], location: string): AuthnResult {
  const attrs = claimsToAuthAttributes(v.payload, rules[v.rule] ?? {});
  return { result: 'valid', rule: v.rule, location, reason: `token at ${location} verified by jwtRules[${v.rule}]`, ...attrs };
}

/** One provider alone: missing, ok (first token), or failed. */
async function tryProvider(rules: readonly JwtRule[], i: number, http: HttpRequestParts, keys: KeyResolver, now: Date) {
  const rule = rules[i] as JwtRule;
  const tokens = extractTokens([rule], http);
  let first: { v: VerifiedToken; location: string } | undefined;
  for (const t of tokens) {
    try {
      const v = await verifyToken(t.token, t.issuers, [rule], keys, now);
      first ??= { v: { ...v, rule: i }, location: t.location };
    } catch {
      return undefined; // all of a provider's tokens must be valid
    }
  }
  return first;
}

/**
 * Authenticate a request against the jwtRules that apply to its workload.
 * Never throws on bad input: a bad token is an `invalid` result.
 *
 * @example
 * const r = await authenticate(rules, { headers: { authorization: `Bearer ${jwt}` }, path: '/api' }, inlineKeyResolver(), new Date());
 * if (r.result === 'invalid') reply(r.status, r.body, { 'www-authenticate': r.wwwAuthenticate });
 */
export async function authenticate(
  rules: readonly JwtRule[],
  http: HttpRequestParts,
  keys: KeyResolver,
  now: Date,
): Promise<AuthnResult> {
  if (rules.length === 0) return { result: 'absent', reason: 'no jwtRules apply to this workload' };
  for (let i = 0; i < rules.length; i++) {
    const ok = await tryProvider(rules, i, http, keys, now);
    if (ok) return valid(ok.v, rules, ok.location);
  }
  const tokens = extractTokens(rules, http);
  if (tokens.length === 0) return { result: 'absent', reason: 'no token at any location the jwtRules read' };
  let first: { v: VerifiedToken; location: string } | undefined;
  for (const t of tokens) {
    try {
      const v = await verifyToken(t.token, t.issuers, rules, keys, now);
      first ??= { v, location: t.location };
    } catch (err) {
      return invalid(err, t.location, http);
    }
  }
  return valid((first as { v: VerifiedToken }).v, rules, (first as { location: string }).location);
}
