/**
 * Join and local tokens: minting (secret shown once), listing (never the
 * secret), revoking, and redeeming for the attestors. Single use is enforced by
 * the store's atomic `markTokenUsed`; expiry by the injected clock.
 */
import { randomBytes } from 'node:crypto';
import { AttestationError, invalidWorkloadName, type RedeemedToken, type TokenKind, type TokenRedeemer } from '../../identity/attestors/index.js';
import { ControlError } from '../errors.js';
import type { Store, TokenRecord } from '../store/store.js';
import { hashesEqual, hashTokenSecret, looksLikeTokenSecret, newTokenSecret } from './token-secret.js';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** Join tokens bootstrap one proxy: short-lived by default, as SPIRE's (600 s). */
export const DEFAULT_TOKEN_TTL_SECONDS = 600;
/** A token outliving a day is a standing credential; mint a new one instead. */
export const MAX_TOKEN_TTL_SECONDS = 24 * 3600;

export interface CreateTokenRequest {
  namespace: string;
  serviceAccount: string;
  kind?: TokenKind;
  ttlSeconds?: number;
}

/** What the creator sees, once: the only time the secret leaves the control plane. */
export interface CreatedToken {
  id: string;
  token: string;
  kind: TokenKind;
  namespace: string;
  serviceAccount: string;
  expiresAt: number;
}

/** A token as `token list` shows it. */
export type TokenView = Omit<TokenRecord, 'hash'> & { state: 'active' | 'used' | 'expired' | 'revoked' };

export class TokenService implements TokenRedeemer {
  constructor(private readonly store: Store, private readonly pepper: Buffer, private readonly clock: Clock = { now: Date.now }) {}

  /**
   * Mints a token bound to one identity.
   *
   * @example
   *   const { token, expiresAt } = await tokens.create({ namespace: 'payments', serviceAccount: 'checkout' });
   */
  async create(req: CreateTokenRequest): Promise<CreatedToken> {
    const kind = req.kind ?? 'join';
    const ttl = req.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
    if (kind !== 'join' && kind !== 'local') throw new ControlError('MG_TOKEN_INVALID_REQUEST', `token kind must be join or local, not "${String(kind)}"`);
    const bad = invalidWorkloadName(String(req.namespace), String(req.serviceAccount));
    if (bad) throw new ControlError('MG_TOKEN_INVALID_REQUEST', bad);
    if (!Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_TOKEN_TTL_SECONDS) {
      throw new ControlError('MG_TOKEN_INVALID_REQUEST', `--ttl must be between 1s and ${MAX_TOKEN_TTL_SECONDS}s, got ${String(ttl)}`);
    }
    const secret = newTokenSecret();
    const now = this.clock.now();
    const record: TokenRecord = {
      id: randomBytes(8).toString('hex'), kind, hash: hashTokenSecret(this.pepper, secret),
      namespace: req.namespace, serviceAccount: req.serviceAccount,
      createdAt: now, expiresAt: now + ttl * 1000, usedAt: null, revokedAt: null,
    };
    await this.store.createToken(record);
    return { id: record.id, token: secret, kind, namespace: record.namespace, serviceAccount: record.serviceAccount, expiresAt: record.expiresAt };
  }

  async list(): Promise<TokenView[]> {
    const now = this.clock.now();
    return (await this.store.listTokens()).map(({ hash: _hash, ...t }) => ({ ...t, state: stateOf(t, now) }));
  }

  /** Revokes a token (used or not): it can no longer be redeemed, and identities it attested stop renewing. */
  async revoke(id: string): Promise<void> {
    const existing = await this.store.getToken(id);
    if (!existing) throw new ControlError('MG_TOKEN_NOT_FOUND', `no token with id ${id} (see \`meshguard token list\`)`);
    await this.store.revokeToken(id, this.clock.now());
  }

  /** Whether a token still vouches for renewals (exists and is not revoked). */
  async isRevoked(id: string): Promise<boolean> {
    const t = await this.store.getToken(id);
    return !t || t.revokedAt !== null;
  }

  async redeem(secret: string, kind: TokenKind, claimed: { namespace?: string; serviceAccount?: string }): Promise<RedeemedToken> {
    const unknown = () => new AttestationError('MG_ATTEST_TOKEN_UNKNOWN', 'the token is not one this control plane issued');
    if (typeof secret !== 'string' || !looksLikeTokenSecret(secret)) throw unknown();
    const hash = hashTokenSecret(this.pepper, secret);
    const t = await this.store.findTokenByHash(hash);
    // The lookup is by a keyed hash an attacker cannot compute; the constant-time check guards a backend that matches loosely.
    if (!t || !hashesEqual(t.hash, hash)) throw unknown();
    if (t.kind !== kind) throw new AttestationError('MG_ATTEST_WRONG_KIND', `the token is a ${t.kind} token, not a ${kind} token`);
    if (t.revokedAt !== null) throw new AttestationError('MG_ATTEST_TOKEN_REVOKED', `token ${t.id} was revoked`);
    const now = this.clock.now();
    if (now >= t.expiresAt) throw new AttestationError('MG_ATTEST_TOKEN_EXPIRED', `token ${t.id} expired at ${new Date(t.expiresAt).toISOString()}; create a new one`);
    if (claimed.namespace !== undefined && claimed.namespace !== t.namespace || claimed.serviceAccount !== undefined && claimed.serviceAccount !== t.serviceAccount) {
      throw new AttestationError('MG_ATTEST_IDENTITY_MISMATCH', `token ${t.id} is bound to another identity`);
    }
    // Join tokens bootstrap once (the proxy then renews with its certificate); local tokens are reusable until expiry.
    if (kind === 'join' && !(await this.store.markTokenUsed(t.id, now))) {
      throw new AttestationError('MG_ATTEST_TOKEN_USED', `token ${t.id} was already used; join tokens are single use`);
    }
    return { id: t.id, namespace: t.namespace, serviceAccount: t.serviceAccount };
  }
}

function stateOf(t: Omit<TokenRecord, 'hash'>, now: number): TokenView['state'] {
  if (t.revokedAt !== null) return 'revoked';
  if (t.usedAt !== null) return 'used';
  return now >= t.expiresAt ? 'expired' : 'active';
}
