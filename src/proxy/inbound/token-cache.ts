/**
 * Verified tokens, so a client reusing its token pays for the signature once.
 * Keyed by the exact `Authorization` value (only used when every jwtRule reads
 * the default location, so that value alone decides the result); an entry
 * lives until the token's `exp` and never longer than `maxTtlMs`, so a key
 * removed from a JWKS stops being honoured soon. Bounded: the oldest entry
 * goes first. Only successes are cached: a bad token is re-checked each time.
 */
import type { RequestAuthAttributes } from '../../policy/jwt/index.js';

/** How long a verified token is trusted without re-verifying, at most. */
export const DEFAULT_TOKEN_CACHE_TTL_MS = 5 * 60_000;
/** Entries kept; Envoy's jwt_cache keeps 100 per provider, a sidecar sees few distinct callers. */
export const DEFAULT_TOKEN_CACHE_SIZE = 1_000;
/** Longer header values are never cached (they are rare and would make the bound in bytes large). */
export const MAX_CACHED_TOKEN_LENGTH = 4_096;

export interface CachedAuth {
  attrs: RequestAuthAttributes;
  /** The rule that verified it, for the decision's reason. */
  rule: number;
  expiresAtMs: number;
}

export class TokenCache {
  private readonly entries = new Map<string, CachedAuth>();
  private readonly maxSize: number;
  private readonly maxTtlMs: number;

  constructor(opts: { maxSize?: number; maxTtlMs?: number } = {}) {
    this.maxSize = opts.maxSize ?? DEFAULT_TOKEN_CACHE_SIZE;
    this.maxTtlMs = opts.maxTtlMs ?? DEFAULT_TOKEN_CACHE_TTL_MS;
  }

  /** The cached verification of `key`, or undefined (absent or expired: an expired entry is dropped). */
  get(key: string, nowMs: number): CachedAuth | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    if (hit.expiresAtMs <= nowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return hit;
  }

  /** Remember a verified token; `expSeconds` is its `exp` claim when it has one. */
  set(key: string, attrs: RequestAuthAttributes, rule: number, expSeconds: unknown, nowMs: number): void {
    if (key.length > MAX_CACHED_TOKEN_LENGTH || this.maxSize <= 0) return;
    const cap = nowMs + this.maxTtlMs;
    const exp = typeof expSeconds === 'number' ? Math.min(expSeconds * 1000, cap) : cap;
    if (exp <= nowMs) return;
    if (this.entries.size >= this.maxSize) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { attrs, rule, expiresAtMs: exp });
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
