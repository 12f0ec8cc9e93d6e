/**
 * What vouched for each issued certificate (its registration entry and token),
 * by serial, so that a renewal over mTLS can be refused once that entry is
 * deleted or token revoked, and a renewed certificate inherits its lineage.
 * Kept in memory for the hot path; persisted as the `lineage` column of the
 * certificate's issuance record, which the batching recorder writes in one
 * transaction per event-loop turn (a CA-metadata write per certificate used to
 * block the event loop for one WAL commit each).
 */
import type { Store } from '../store/store.js';

export interface Lineage {
  spiffeId: string;
  entryId?: string;
  tokenId?: string;
  /** Epoch ms; the record is useless after the certificate expires. */
  notAfter: number;
}

/** Where versions before the `lineage` column kept it, read for certificates issued before an upgrade. */
const LEGACY_PREFIX = 'svid.lineage.';
// Pruning walks the map; doing it every few thousand inserts keeps it off the per-certificate cost.
const PRUNE_EVERY = 4096;

export interface SvidLineage {
  /** Remembers in memory; the caller persists it with the issuance record (`IssuedCertRecord.lineage`). */
  remember(serial: string, lineage: Lineage): void;
  lookup(serial: string, now: number): Promise<Lineage | undefined>;
}

/**
 * @example
 *   const lineage = svidLineage(store);
 *   lineage.remember(svid.serial, { spiffeId, tokenId, notAfter });
 *   await lineage.lookup(peer.serialNumber.toLowerCase(), Date.now());
 */
export function svidLineage(store: Store): SvidLineage {
  const memory = new Map<string, Lineage>();
  let inserts = 0;

  const fromStore = async (serial: string): Promise<Lineage | undefined> => {
    const issued = await store.getIssuedCertificate(serial);
    if (issued?.lineage) return { spiffeId: issued.spiffeId, notAfter: issued.notAfter, ...issued.lineage };
    const text = await store.getCaMetadata(LEGACY_PREFIX + serial);
    // No lineage at all (a lost write before the upgrade): unknown, so the caller refuses and it attests again.
    return text === undefined ? undefined : (JSON.parse(text) as Lineage);
  };

  return {
    remember(serial, lineage) {
      memory.set(serial, lineage);
      if (++inserts % PRUNE_EVERY === 0) {
        const now = Date.now();
        for (const [s, l] of memory) if (l.notAfter <= now) memory.delete(s);
      }
    },
    async lookup(serial, now) {
      const found = memory.get(serial) ?? (await fromStore(serial));
      return found && found.notAfter > now ? found : undefined;
    },
  };
}
