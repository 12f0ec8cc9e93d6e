/**
 * Join and local token attestors. Both redeem a token the control plane minted
 * (`meshguard token create`, or `meshguard up` for the workloads it starts)
 * through an injected `TokenRedeemer`, which owns storage, single use and expiry.
 */
import { type Attestation, type Attestor, AttestationError, type Evidence } from './attestor.js';

export type TokenKind = 'join' | 'local';

/** The identity a token is bound to, once redeemed. */
export interface RedeemedToken {
  id: string;
  namespace: string;
  serviceAccount: string;
}

export interface TokenRedeemer {
  /**
   * Checks and consumes a token of `kind`; rejects with an `AttestationError`
   * (`MG_ATTEST_TOKEN_UNKNOWN`, `_USED`, `_EXPIRED`, `_REVOKED`, `_WRONG_KIND`, `_IDENTITY_MISMATCH`).
   * `claimed` is checked before the token is consumed.
   */
  redeem(secret: string, kind: TokenKind, claimed: Pick<Evidence, 'namespace' | 'serviceAccount'>): Promise<RedeemedToken>;
}

/**
 * A token attestor of one kind.
 *
 * @example
 *   const join = tokenAttestor('join', tokenService);
 *   const { namespace, serviceAccount, selectors } = await join.attest({ token });
 */
export function tokenAttestor(kind: TokenKind, redeemer: TokenRedeemer): Attestor {
  return {
    type: kind,
    async attest(evidence: Evidence): Promise<Attestation> {
      if (typeof evidence?.token !== 'string' || evidence.token.length === 0) {
        throw new AttestationError('MG_ATTEST_MALFORMED', `${kind} attestation needs a token`);
      }
      const t = await redeemer.redeem(evidence.token, kind, { namespace: evidence.namespace, serviceAccount: evidence.serviceAccount });
      return {
        namespace: t.namespace,
        serviceAccount: t.serviceAccount,
        selectors: [`meshguard:attestor:${kind}`, `meshguard:ns:${t.namespace}`, `meshguard:sa:${t.serviceAccount}`, `meshguard:token:${t.id}`],
        tokenId: t.id,
      };
    },
  };
}
