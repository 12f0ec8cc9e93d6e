/**
 * The edge's KeyResolver: inline `jwks` through the policy layer's resolver,
 * `jwksUri` through jose's remote key set — one instance per URI, shared by
 * every rule naming it, so jose's own cache, cooldown, single in-flight fetch
 * and re-fetch on an unknown `kid` work across requests. The policy engine
 * never fetches; only this file does I/O.
 */
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { JwtRule } from '../../config/kinds.js';
import { inlineKeyResolver, type KeyResolver } from '../../policy/jwt/key-resolver.js';

/** How long one JWKS fetch may take: Istio's `jwtRules[].timeout` default is 5 s. */
export const DEFAULT_JWKS_TIMEOUT_MS = 5_000;
/** Minimum gap between fetches triggered by unknown kids, so tokens cannot make us hammer the IdP. */
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;
/** Refresh a key set this old on the next use; Istio refreshes every 20 min. */
export const DEFAULT_JWKS_MAX_AGE_MS = 20 * 60_000;

export interface RemoteResolverOptions {
  timeoutMs?: number;
  cooldownMs?: number;
  maxAgeMs?: number;
}

export interface RemoteKeyResolver extends KeyResolver {
  /** URIs with a key set instance, for metrics and debug. */
  uris(): string[];
}

/** Istio's `timeout` field is a duration string (`5s`, `500ms`); anything else keeps the default. */
function parseTimeout(value: string | undefined, fallback: number): number {
  const m = value ? /^(\d+(?:\.\d+)?)(ms|s)$/.exec(value) : null;
  if (!m) return fallback;
  const n = Number(m[1]);
  return m[2] === 's' ? n * 1000 : n;
}

/**
 * A resolver for both inline and remote key sets.
 *
 * @example
 * const keys = remoteKeyResolver({ timeoutMs: 2000 });
 * const result = await authenticate(rules, http, keys, new Date());
 */
export function remoteKeyResolver(opts: RemoteResolverOptions = {}): RemoteKeyResolver {
  const inline = inlineKeyResolver();
  const remote = new Map<string, JWTVerifyGetKey>();
  return {
    keysFor(rule: JwtRule) {
      // Inline keys win, as in Istio where `jwks` overrides `jwksUri`.
      if (rule.jwks !== undefined) return inline.keysFor(rule);
      if (!rule.jwksUri) return undefined;
      const timeout = parseTimeout(rule.timeout, opts.timeoutMs ?? DEFAULT_JWKS_TIMEOUT_MS);
      const key = `${rule.jwksUri} ${timeout}`;
      let set = remote.get(key);
      if (!set) {
        let url: URL;
        try {
          url = new URL(rule.jwksUri);
        } catch {
          return undefined; // an unusable URI: no keys, every token refused
        }
        set = createRemoteJWKSet(url, {
          timeoutDuration: timeout,
          cooldownDuration: opts.cooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS,
          cacheMaxAge: opts.maxAgeMs ?? DEFAULT_JWKS_MAX_AGE_MS,
        });
        remote.set(key, set);
      }
      return set;
    },
    uris: () => [...new Set([...remote.keys()].map((k) => k.split(' ')[0] as string))],
  };
}
