/**
 * Where verification keys come from. The engine never fetches: the caller
 * passes a `KeyResolver`. Inline `jwks` is pure data, so its resolver lives
 * here; a `jwksUri` is fetched and cached at the edge
 * (`src/proxy/jwks/remote-resolver.ts`), which wraps this one.
 */
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { JwtRule } from '../../config/kinds.js';

/**
 * Key material for one rule: a jose key function, or `undefined` when this
 * resolver has none for the rule (then every token for it is refused: fail
 * closed, `Jwks doesn't have any valid public key`).
 */
export interface KeyResolver {
  keysFor(rule: JwtRule): JWTVerifyGetKey | undefined;
}

/**
 * Keys from each rule's inline `jwks` (a JSON string, as Istio takes it),
 * parsed once per distinct string. A malformed set yields `undefined`.
 *
 * @example
 * const keys = inlineKeyResolver();
 * await authenticate(rules, http, keys, new Date());
 */
export function inlineKeyResolver(): KeyResolver {
  const cache = new Map<string, JWTVerifyGetKey | undefined>();
  return {
    keysFor(rule) {
      if (rule.jwks === undefined) return undefined;
      if (cache.has(rule.jwks)) return cache.get(rule.jwks);
      const keys = parseJwks(rule.jwks);
      cache.set(rule.jwks, keys);
      return keys;
    },
  };
}

function parseJwks(text: string): JWTVerifyGetKey | undefined {
  try {
    return createLocalJWKSet(JSON.parse(text) as JSONWebKeySet);
  } catch {
    // Istio rejects such a policy at validation; at request time Envoy answers
    // "Jwks doesn't have any valid public key" — the caller maps undefined to that.
    return undefined;
  }
}
