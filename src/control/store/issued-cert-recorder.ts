/**
 * Batches the CA's "record this certificate" calls into one store transaction
 * per event-loop turn, so recording never caps issuance: a transaction per
 * certificate costs a WAL commit each, a batch costs one for hundreds.
 */
import type { IssuedCertRecord, Store } from './store.js';

/** Largest batch written at once, so one burst cannot hold the database for long. */
const MAX_BATCH = 1000;

export interface IssuedCertRecorder {
  /** Resolves once the record is committed (with others of the same turn). */
  record(r: IssuedCertRecord): Promise<void>;
  /** Writes whatever is pending (call before closing the store). */
  flush(): Promise<void>;
}

/**
 * @example
 *   const recorder = createIssuedCertRecorder(store);
 *   await recorder.record({ serial: 'ab12', spiffeId, notAfter, issuedAt: Date.now() });
 */
export function createIssuedCertRecorder(store: Store): IssuedCertRecorder {
  let pending: { r: IssuedCertRecord; done: (err?: unknown) => void }[] = [];
  let scheduled: Promise<void> | undefined;

  const write = async (): Promise<void> => {
    while (pending.length > 0) {
      const batch = pending.slice(0, MAX_BATCH);
      pending = pending.slice(batch.length);
      try {
        await store.recordIssuedCertificates(batch.map((p) => p.r));
        for (const p of batch) p.done();
      } catch (err) {
        for (const p of batch) p.done(err);
      }
    }
    scheduled = undefined;
  };

  const schedule = (): Promise<void> => {
    scheduled ??= new Promise<void>((resolve) => setImmediate(resolve)).then(write);
    return scheduled;
  };

  return {
    record(r) {
      return new Promise<void>((resolve, reject) => {
        pending.push({ r, done: (err) => (err === undefined ? resolve() : reject(err)) });
        void schedule();
      });
    },
    flush: () => (pending.length > 0 ? schedule() : (scheduled ?? Promise.resolve())),
  };
}
