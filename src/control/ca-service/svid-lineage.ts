/**
 * What vouched for each issued certificate (its registration entry and token),
 * by serial, so that a renewal over mTLS can be refused once that entry is
 * deleted or token revoked, and a renewed certificate inherits its lineage.
 * Kept in memory for the hot path and written behind to CA metadata (one small
 * write per certificate, batched per event-loop turn and off the response path).
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';

export interface Lineage {
  spiffeId: string;
  entryId?: string;
  tokenId?: string;
  /** Epoch ms; the record is useless after the certificate expires. */
  notAfter: number;
}

const PREFIX = 'svid.lineage.';
// Pruning walks the map; doing it every few thousand inserts keeps it off the per-certificate cost.
const PRUNE_EVERY = 4096;

export interface SvidLineage {
  remember(serial: string, lineage: Lineage): void;
  lookup(serial: string, now: number): Promise<Lineage | undefined>;
  /** Waits for pending writes (before the store closes). */
  flush(): Promise<void>;
}

/**
 * @example
 *   const lineage = svidLineage(store, log);
 *   lineage.remember(svid.serial, { spiffeId, tokenId, notAfter });
 */
export function svidLineage(store: Store, log: Logger): SvidLineage {
  const memory = new Map<string, Lineage>();
  let pending: [string, Lineage][] = [];
  let writing: Promise<void> | undefined;
  let inserts = 0;

  const write = async () => {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      for (const [serial, l] of batch) {
        try {
          await store.setCaMetadata(PREFIX + serial, JSON.stringify(l));
        } catch (err) {
          // Losing a record only means that certificate must attest again after a restart.
          log.error({ err, serial }, 'could not persist SVID lineage');
        }
      }
    }
    writing = undefined;
  };

  return {
    remember(serial, lineage) {
      memory.set(serial, lineage);
      pending.push([serial, lineage]);
      writing ??= new Promise<void>((r) => setImmediate(r)).then(write);
      if (++inserts % PRUNE_EVERY === 0) {
        const now = Date.now();
        for (const [s, l] of memory) if (l.notAfter <= now) memory.delete(s);
      }
    },
    async lookup(serial, now) {
      let found = memory.get(serial);
      if (!found) {
        const text = await store.getCaMetadata(PREFIX + serial);
        found = text === undefined ? undefined : (JSON.parse(text) as Lineage);
      }
      return found && found.notAfter > now ? found : undefined;
    },
    flush: async () => { while (writing) await writing; },
  };
}
