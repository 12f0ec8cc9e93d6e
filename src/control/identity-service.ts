/**
 * From evidence to a SPIFFE ID, and whether that identity may still renew.
 * This is what the CA service (next issue) calls before signing: attest with
 * the named attestor, match registration entries, else the default
 * `spiffe://<td>/ns/<ns>/sa/<sa>`. The caller's CSR never chooses the ID.
 */
import { type Attestor, attestorFor, type AttestorType, type Evidence } from '../identity/attestors/index.js';
import { defaultSpiffeId } from './entries/spiffe-id-check.js';
import type { EntryService } from './entries/entry-service.js';
import { ControlError } from './errors.js';
import type { Store } from './store/store.js';

/** What a certificate is issued for, and what must still exist for it to renew. */
export interface ResolvedIdentity {
  spiffeId: string;
  namespace: string;
  serviceAccount: string;
  selectors: string[];
  /** The registration entry that named the ID; absent for the default ID. */
  entryId?: string;
  /** The token that attested it, for token attestors. */
  tokenId?: string;
}

export class IdentityService {
  constructor(
    private readonly attestors: Map<AttestorType, Attestor>,
    private readonly entries: EntryService,
    private readonly store: Store,
    private readonly trustDomain: string,
  ) {}

  /**
   * @example
   *   const id = await identities.attest('join', { token });
   *   id.spiffeId // 'spiffe://cluster.local/ns/payments/sa/checkout'
   */
  async attest(type: string, evidence: Evidence): Promise<ResolvedIdentity> {
    const a = await attestorFor(this.attestors, type).attest(evidence);
    const entry = await this.entries.match(a.selectors);
    return {
      spiffeId: entry?.spiffeId ?? defaultSpiffeId(this.trustDomain, a.namespace, a.serviceAccount),
      namespace: a.namespace,
      serviceAccount: a.serviceAccount,
      selectors: a.selectors,
      ...(entry ? { entryId: entry.id } : {}),
      ...(a.tokenId ? { tokenId: a.tokenId } : {}),
    };
  }

  /**
   * Refuses renewal when what vouched for the identity is gone: its entry was
   * deleted (`MG_RENEWAL_ENTRY_DELETED`) or its token revoked (`MG_RENEWAL_TOKEN_REVOKED`).
   */
  async checkRenewal(identity: Pick<ResolvedIdentity, 'entryId' | 'tokenId' | 'spiffeId'>): Promise<void> {
    if (identity.entryId !== undefined && !(await this.store.getEntry(identity.entryId))) {
      throw new ControlError('MG_RENEWAL_ENTRY_DELETED', `the registration entry for ${identity.spiffeId} was deleted; it can no longer renew`);
    }
    if (identity.tokenId !== undefined) {
      const token = await this.store.getToken(identity.tokenId);
      if (!token || token.revokedAt !== null) {
        throw new ControlError('MG_RENEWAL_TOKEN_REVOKED', `the token that attested ${identity.spiffeId} was revoked; it can no longer renew`);
      }
    }
  }
}
