/**
 * The CA's public-key work on worker threads: signing leaves and checking CSR
 * self-signatures. On the event loop that serves the CA API this work cost more
 * than its CPU time: every CSR key imported there is freed by a weak callback
 * inside V8's young-generation GC, and those callbacks made each scavenge pause
 * the loop for 4–10 ms every ~0.4 s at 500 CSRs/s (bench/ca-service, --trace-gc-nvp:
 * `heap.external_weak_global_handles`). On a worker that pause only delays the
 * worker's own queue.
 *
 * The worker's code is a string evaluated by `new Worker(…, { eval: true })`, not a
 * module file: the CLI is bundled by esbuild, where no module file of ours exists
 * at run time, and a worker of Node 20 does not inherit the `tsx` loader either.
 * It uses `node:crypto` only.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { KeyObject } from 'node:crypto';
import type { CsrSignature, CsrVerdict } from './csr.js';
import { SWEEP_EVERY } from './key-sweeper.js';
import { BUILTIN_KEY_STORE, hashFor, isBuiltinKeyStore, keyForSigningWorker, type CaKeyStore } from './key-store.js';

/**
 * Workers the CA starts: one per core beyond the event loop's, at most two (on 2 cores one worker
 * signs as fast as the main thread did; bench/identity measured 1.7–2.0× for two on an idle machine).
 */
export const DEFAULT_CRYPTO_WORKERS = Math.max(1, Math.min(2, availableParallelism() - 1));

export interface CryptoWorkers {
  /** A store that signs on the workers with the same key; a store that is not built in comes back unchanged. */
  offload(store: CaKeyStore): CaKeyStore;
  verifyCsr(signature: CsrSignature): Promise<CsrVerdict>;
  /**
   * Checks a CSR's self-signature and, if it holds, signs `tbs` with `store`'s key, in one
   * message to one worker (a round trip between threads costs more than either operation:
   * bench/ca-service). Resolves to the signature, or to the verdict when the CSR fails.
   * Undefined for a store that is not built in (its key cannot go to a worker).
   */
  verifyCsrThenSign(store: CaKeyStore): ((csr: CsrSignature, tbs: Uint8Array) => Promise<Buffer | Exclude<CsrVerdict, 'ok'>>) | undefined;
  /** How many key sweeps (forced young-generation GCs) the running workers made in all: diagnostics and tests. */
  sweepCount(): Promise<number>;
  /** Stops the workers; calls under way reject. A later call starts them again. */
  close(): Promise<void>;
}

type Reply = { id: number; value?: unknown; error?: string };
type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

// Each message is answered once, in order; the key message precedes the first signature that needs it.
// Every CSR key imported here is a KeyObject that only a GC weak callback frees: left to V8, a scavenge
// every ~1.5 s paused this worker for 12-31 ms at 500 CSRs/s, holding up every CSR queued meanwhile
// (bench/ca-service). So the worker sweeps them as `key-sweeper.ts` does on the main thread: a
// young-generation GC once SWEEP_EVERY keys are dead and its queue is drained (setImmediate runs
// after the port's pending messages). The worker cannot import that module (see above), hence the copy.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, sign, verify } = require('node:crypto');
const SWEEP_EVERY = ${SWEEP_EVERY};
let minorGc;
try { require('node:v8').setFlagsFromString('--expose-gc'); minorGc = require('node:vm').runInNewContext('gc'); } catch {}
let imported = 0;
let sweepQueued = false;
let sweeps = 0;
function sweep() {
  sweepQueued = false;
  imported = 0;
  minorGc({ type: 'minor' });
  sweeps++;
}
const keys = new Map();
function check(m) {
  let key;
  imported++;
  try { key = createPublicKey({ key: m.jwk, format: 'jwk' }); } catch { return 'bad-public-key'; }
  return verify(m.hash, m.data, { key, dsaEncoding: 'der' }, m.signature) ? 'ok' : 'bad-signature';
}
function run(m) {
  if (m.op === 'sign') return sign(m.hash, m.data, { key: keys.get(m.keyId), dsaEncoding: 'der' });
  if (m.op === 'verify') return check(m);
  if (m.op === 'sweeps') return sweeps;
  const verdict = check(m);
  return verdict === 'ok' ? sign(m.signHash, m.tbs, { key: keys.get(m.keyId), dsaEncoding: 'der' }) : verdict;
}
parentPort.on('message', (m) => {
  if (m.op === 'key') { keys.set(m.keyId, m.key); return; }
  let reply;
  try { reply = { id: m.id, value: run(m) }; } catch (err) { reply = { id: m.id, error: String(err && err.message) }; }
  parentPort.postMessage(reply);
  if (minorGc && imported >= SWEEP_EVERY && !sweepQueued) { sweepQueued = true; setImmediate(sweep); }
});
`;

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  keys: Set<number>;
  /** Takes the slot out of the pool and rejects what it had under way. */
  fail(err: Error): void;
}

/**
 * @example
 *   const workers = startCryptoWorkers(2);
 *   const issuer = await createSvidIssuer({ ca: { ...ca, keyStore: workers.offload(ca.keyStore) }, verifyCsr: workers.verifyCsr, now });
 */
export function startCryptoWorkers(size: number = DEFAULT_CRYPTO_WORKERS): CryptoWorkers {
  if (!Number.isInteger(size) || size < 1) throw new TypeError('startCryptoWorkers needs at least one worker');
  const slots: (Slot | undefined)[] = Array.from({ length: size }, () => undefined);
  const keyIds = new WeakMap<KeyObject, number>();
  let nextKeyId = 1;
  let nextId = 1;

  const spawn = (i: number): Slot => {
    // execArgv []: flags such as --input-type=module would make the CommonJS source fail to run.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    const slot: Slot = { worker, pending: new Map(), keys: new Set(), fail: () => {} };
    worker.on('message', (r: Reply) => {
      const p = slot.pending.get(r.id);
      if (!p) return;
      slot.pending.delete(r.id);
      if (slot.pending.size === 0) worker.unref();
      if (r.error !== undefined) p.reject(new Error(`CA crypto worker: ${r.error}`));
      else p.resolve(r.value);
    });
    slot.fail = (err: Error) => {
      if (slots[i] === slot) slots[i] = undefined;
      for (const p of slot.pending.values()) p.reject(err);
      slot.pending.clear();
    };
    worker.on('error', (err) => slot.fail(err));
    worker.on('exit', (code) => slot.fail(new Error(`CA crypto worker exited (code ${code})`)));
    // Idle workers must not keep the process alive; busy ones must (see `call`). After the
    // listeners, because adding a 'message' listener refs the worker again.
    worker.unref();
    slots[i] = slot;
    return slot;
  };

  // The least busy worker, started on first use (or again after it died).
  const pick = (): Slot => {
    let best: Slot | undefined;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i] ?? spawn(i);
      if (!best || s.pending.size < best.pending.size) best = s;
    }
    return best!;
  };

  const call = (slot: Slot, message: Record<string, unknown>): Promise<unknown> => {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ ...message, id });
    });
  };

  // The slot to use for `key`: the key is posted to a worker once, before its first use there.
  const slotWithKey = (key: KeyObject): { slot: Slot; keyId: number } => {
    let keyId = keyIds.get(key);
    if (keyId === undefined) keyIds.set(key, (keyId = nextKeyId++));
    const slot = pick();
    if (!slot.keys.has(keyId)) {
      // A KeyObject is cloned into the worker by postMessage: the key never becomes bytes here.
      slot.worker.postMessage({ op: 'key', keyId, key });
      slot.keys.add(keyId);
    }
    return { slot, keyId };
  };
  const asBuffer = (sig: Uint8Array) => Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength);

  const signOn = async (key: KeyObject, hash: string, data: Uint8Array): Promise<Buffer> => {
    const { slot, keyId } = slotWithKey(key);
    return asBuffer((await call(slot, { op: 'sign', keyId, hash, data: Uint8Array.from(data) })) as Uint8Array);
  };

  return {
    offload(store) {
      const key = isBuiltinKeyStore(store) ? keyForSigningWorker(store) : undefined;
      if (!key) return store;
      const hash = hashFor(store.algorithm);
      // Still Node's own crypto.sign with the same KeyObject: marked built in, so not re-verified.
      return Object.freeze({ algorithm: store.algorithm, publicKey: store.publicKey, sign: (data: Uint8Array) => signOn(key, hash, data), [BUILTIN_KEY_STORE]: true });
    },
    verifyCsrThenSign(store) {
      const key = isBuiltinKeyStore(store) ? keyForSigningWorker(store) : undefined;
      if (!key) return undefined;
      const signHash = hashFor(store.algorithm);
      return async (csr, tbs) => {
        const { slot, keyId } = slotWithKey(key);
        const out = (await call(slot, { op: 'verify-sign', hash: csr.hash, jwk: csr.jwk, data: csr.data, signature: csr.signature, keyId, signHash, tbs: Uint8Array.from(tbs) })) as Uint8Array | Exclude<CsrVerdict, 'ok'>;
        return typeof out === 'string' ? out : asBuffer(out);
      };
    },
    verifyCsr: async (s) => (await call(pick(), { op: 'verify', hash: s.hash, jwk: s.jwk, data: s.data, signature: s.signature })) as CsrVerdict,
    async sweepCount() {
      const running = slots.filter((s): s is Slot => s !== undefined);
      const counts = await Promise.all(running.map((s) => call(s, { op: 'sweeps' }) as Promise<number>));
      return counts.reduce((a, b) => a + b, 0);
    },
    async close() {
      const running = slots.filter((s): s is Slot => s !== undefined);
      for (const s of running) s.fail(new Error('CA crypto workers closed'));
      await Promise.all(running.map((s) => s.worker.terminate()));
    },
  };
}

let shared: CryptoWorkers | undefined;

/**
 * The process's one set of CA crypto workers (every CA of the process shares it), started on first use.
 * @example const workers = sharedCryptoWorkers();
 */
export function sharedCryptoWorkers(): CryptoWorkers {
  shared ??= startCryptoWorkers();
  return shared;
}
