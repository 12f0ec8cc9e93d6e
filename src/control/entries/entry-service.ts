/**
 * Registration entries, as SPIRE has them: a SPIFFE ID given to any workload
 * whose attested selectors include all of the entry's selectors.
 */
import { randomUUID } from 'node:crypto';
import { ControlError } from '../errors.js';
import type { EntryRecord, Store } from '../store/store.js';
import type { Clock } from '../tokens/token-service.js';
import { checkWorkloadSpiffeId } from './spiffe-id-check.js';

/** `type:value`, e.g. `k8s:ns:payments`: a lower-case type, then a printable value without spaces. */
const SELECTOR = /^[a-z0-9_-]+:[\x21-\x7e]+$/;
const MAX_SELECTORS = 32;

export interface CreateEntryRequest {
  spiffeId: string;
  selectors: string[];
}

export class EntryService {
  constructor(private readonly store: Store, private readonly trustDomain: string, private readonly clock: Clock = { now: Date.now }) {}

  /**
   * @example
   *   await entries.create({ spiffeId: 'spiffe://cluster.local/payments/checkout', selectors: ['k8s:ns:payments', 'k8s:sa:checkout-service'] });
   */
  async create(req: CreateEntryRequest): Promise<EntryRecord> {
    const spiffeId = checkWorkloadSpiffeId(req?.spiffeId, this.trustDomain);
    const selectors = normalizeSelectors(req?.selectors);
    const entry: EntryRecord = { id: randomUUID(), spiffeId, selectors, createdAt: this.clock.now() };
    try {
      await this.store.createEntry(entry);
    } catch (err) {
      if ((err as { code?: string }).code === 'MG_STORE_CONFLICT') {
        throw new ControlError('MG_ENTRY_EXISTS', `an entry for ${spiffeId} with selectors ${selectors.join(', ')} already exists`);
      }
      throw err;
    }
    return entry;
  }

  list(): Promise<EntryRecord[]> {
    return this.store.listEntries();
  }

  /** Deletes an entry; identities it gave stop renewing. */
  async delete(id: string): Promise<void> {
    if (!(await this.store.deleteEntry(id))) {
      throw new ControlError('MG_ENTRY_NOT_FOUND', `no entry with id ${id} (see \`meshguard entry list\`)`);
    }
  }

  /**
   * The entry for a workload with these attested selectors: the one whose
   * selectors are all present; the most specific (most selectors) wins, then the oldest.
   */
  async match(attested: readonly string[]): Promise<EntryRecord | undefined> {
    const have = new Set(attested);
    let best: EntryRecord | undefined;
    for (const e of await this.store.listEntries()) {
      if (!e.selectors.every((s) => have.has(s))) continue;
      if (!best || e.selectors.length > best.selectors.length) best = e; // listEntries is oldest first
    }
    return best;
  }
}

/** Sorted, de-duplicated, validated selectors (sorted so that equal sets compare equal in the store). */
export function normalizeSelectors(selectors: unknown): string[] {
  if (!Array.isArray(selectors) || selectors.length === 0) {
    throw new ControlError('MG_ENTRY_INVALID', 'an entry needs at least one --selector type:value (e.g. k8s:ns:payments)');
  }
  if (selectors.length > MAX_SELECTORS) throw new ControlError('MG_ENTRY_INVALID', `an entry may have at most ${MAX_SELECTORS} selectors`);
  for (const s of selectors) {
    if (typeof s !== 'string' || !SELECTOR.test(s)) {
      throw new ControlError('MG_ENTRY_INVALID', `selector ${JSON.stringify(s)} is not type:value (e.g. k8s:ns:payments, k8s:sa:checkout-service)`);
    }
  }
  return [...new Set(selectors as string[])].sort();
}
