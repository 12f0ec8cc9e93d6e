/**
 * Checkpoints the SQLite write-ahead log on a worker thread, so that the
 * connection serving the CA never does. SQLite's automatic checkpoint runs
 * inside whichever commit pushes the WAL past 1000 pages, and with
 * `synchronous = NORMAL` a checkpoint is where the fsyncs happen: at 500
 * issuances/s that blocked the event loop for 4–40 ms about once a second
 * (bench/ca-service). A PASSIVE checkpoint from a second connection copies the
 * committed frames without taking the write lock, so commits go on meanwhile.
 *
 * The worker's code is a string (`eval: true`) that loads better-sqlite3 by the
 * absolute path resolved here: the CLI is bundled by esbuild, so no module file
 * of ours exists at run time for a worker to load.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the worker checkpoints: at 500 issuances/s the WAL grows ~1–2 MB a second. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 1000;

export interface WalCheckpointer {
  /** Stops the worker (the caller's final `close()` checkpoints what is left). */
  stop(): Promise<void>;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ error: String(err && err.message) }); }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * Starts checkpointing `path` every `intervalMs` on a worker; `onFailure` runs once if the
 * worker cannot run (the caller then turns SQLite's automatic checkpoints back on).
 *
 * @example
 *   db.pragma('wal_autocheckpoint = 0');
 *   const checkpointer = startWalCheckpointer(db.name, { onFailure: () => db.pragma('wal_autocheckpoint = 1000') });
 */
export function startWalCheckpointer(path: string, options: { intervalMs?: number; onFailure: (reason: string) => void }): WalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // execArgv []: flags such as --input-type=module would make the CommonJS source fail to run.
  const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { driver, path, intervalMs: options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS } });
  let stopped = false;
  let failed = false;
  const fail = (reason: string) => {
    if (stopped || failed) return;
    failed = true;
    options.onFailure(reason);
    void worker.terminate();
  };
  worker.on('message', (m: { error?: string }) => { if (m.error !== undefined) fail(m.error); });
  worker.on('error', (err) => fail(err.message));
  worker.on('exit', (code) => fail(`checkpoint worker exited (code ${code})`));
  // The checkpointer never keeps the process alive on its own (after the listeners: a 'message' listener refs the worker).
  worker.unref();
  return {
    async stop() {
      if (stopped) return;
      stopped = true;
      if (failed) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('stop');
      // A checkpoint under way finishes first; past a second the worker is ended.
      const timer = setTimeout(() => void worker.terminate(), 1000);
      await exited;
      clearTimeout(timer);
    },
  };
}
