/**
 * Collects dead imported public keys in small steps at quiet moments. Each CSR key
 * imported with node:crypto is a KeyObject that only a GC weak callback frees
 * (~3–5 µs each on Node 20); left to V8, hundreds pile up and one scavenge pays
 * for all of them at once, pausing the thread for 10–30 ms at 500 CSRs/s
 * (bench/ca-service, --trace-gc-nvp: heap.external_weak_global_handles). After
 * `SWEEP_EVERY` imports, once the thread's pending I/O callbacks have run
 * (setImmediate), a young-generation GC of ~0.2 ms collects them. The gc function
 * comes from a fresh vm context after --expose-gc, as Jest does for
 * --logHeapUsage; where that is unavailable, GC is left to V8.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Dead keys after which a sweep is due (a forced young-generation GC: ~0.16 ms at 32). */
export const SWEEP_EVERY = 32;

type MinorGc = (options: { type: 'minor' }) => void;
let minorGc: MinorGc | null | undefined;
let imported = 0;
let queued = false;

function gcFunction(): MinorGc | null {
  if (minorGc === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      minorGc = runInNewContext('gc') as MinorGc;
    } catch {
      minorGc = null;
    }
  }
  return minorGc;
}

function sweep(): void {
  queued = false;
  imported = 0;
  gcFunction()?.({ type: 'minor' });
}

/**
 * Counts one imported (soon dead) key and schedules a sweep when enough are dead.
 * @example const key = createPublicKey(jwk); noteImportedKey();
 */
export function noteImportedKey(): void {
  if (++imported >= SWEEP_EVERY && !queued) {
    queued = true;
    setImmediate(sweep);
  }
}
