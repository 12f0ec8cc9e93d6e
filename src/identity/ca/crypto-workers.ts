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
  /** Stops the workers; calls under way reject. A later call starts them again. */
  close(): Promise<void>;
}

type Reply = { id: number; value?: unknown; error?: string };
type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

// Each message is answered once, in order; the key message precedes the first signature that needs it.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, sign, verify } = require('node:crypto');
const keys = new Map();
function run(m) {
  if (m.op === 'sign') return sign(m.hash, m.data, { key: keys.get(m.keyId), dsaEncoding: 'der' });
  let key;
  try { key = createPublicKey({ key: m.jwk, format: 'jwk' }); } catch { return 'bad-public-key'; }
  return verify(m.hash, m.data, { key, dsaEncoding: 'der' }, m.signature) ? 'ok' : 'bad-signature';
}
parentPort.on('message', (m) => {
  if (m.op === 'key') { keys.set(m.keyId, m.key); return; }
  let reply;
  try { reply = { id: m.id, value: run(m) }; } catch (err) { reply = { id: m.id, error: String(err && err.message) }; }
  parentPort.postMessage(reply);
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

  const signOn = async (key: KeyObject, hash: string, data: Uint8Array): Promise<Buffer> => {
    let keyId = keyIds.get(key);
    if (keyId === undefined) keyIds.set(key, (keyId = nextKeyId++));
    const slot = pick();
    if (!slot.keys.has(keyId)) {
      // A KeyObject is cloned into the worker by postMessage: the key never becomes bytes here.
      slot.worker.postMessage({ op: 'key', keyId, key });
      slot.keys.add(keyId);
    }
    const sig = (await call(slot, { op: 'sign', keyId, hash, data: Uint8Array.from(data) })) as Uint8Array;
    return Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength);
  };

  return {
    offload(store) {
      const key = isBuiltinKeyStore(store) ? keyForSigningWorker(store) : undefined;
      if (!key) return store;
      const hash = hashFor(store.algorithm);
      // Still Node's own crypto.sign with the same KeyObject: marked built in, so not re-verified.
      return Object.freeze({ algorithm: store.algorithm, publicKey: store.publicKey, sign: (data: Uint8Array) => signOn(key, hash, data), [BUILTIN_KEY_STORE]: true });
    },
    verifyCsr: async (s) => (await call(pick(), { op: 'verify', hash: s.hash, jwk: s.jwk, data: s.data, signature: s.signature })) as CsrVerdict,
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
