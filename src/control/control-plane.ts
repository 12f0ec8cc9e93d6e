/**
 * Starts the control plane in a data directory: the store, the token and entry
 * services, the attestors, the admin socket and `control-plane.json`. The CA
 * API (gRPC over TLS) joins when the CA library lands; until then `caAddress`
 * is null.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { builtinAttestors, type ReviewToken } from '../identity/attestors/index.js';
import { serveAdmin } from './admin/server.js';
import { EntryService } from './entries/entry-service.js';
import { ControlError } from './errors.js';
import { IdentityService } from './identity-service.js';
import { ADMIN_SOCKET, type ControlPlaneState, readStateFile, removeStateFile, writeStateFile } from './state-file.js';
import { openSqliteStore } from './store/sqlite.js';
import type { Store } from './store/store.js';
import { loadOrCreatePepper } from './tokens/pepper-file.js';
import { type Clock, TokenService } from './tokens/token-service.js';

export const DB_FILE = 'meshguard.db';
const TRUST_DOMAIN = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;

export interface ControlPlaneOptions {
  dataDir: string;
  trustDomain: string;
  version: string;
  log: Logger;
  clock?: Clock;
  /** The TokenReview client; when absent the `k8s-psat` attestor is off. */
  reviewToken?: ReviewToken;
}

export interface RunningControlPlane {
  state: ControlPlaneState;
  store: Store;
  tokens: TokenService;
  entries: EntryService;
  identities: IdentityService;
  /** Stops serving, removes the state file and socket, closes the store. */
  close(): Promise<void>;
}

/**
 * @example
 *   const cp = await startControlPlane({ dataDir: '.meshguard', trustDomain: 'cluster.local', version, log });
 *   process.once('SIGTERM', () => void cp.close());
 */
export async function startControlPlane(opts: ControlPlaneOptions): Promise<RunningControlPlane> {
  if (!TRUST_DOMAIN.test(opts.trustDomain)) {
    throw new ControlError('MG_CONTROL_BAD_TRUST_DOMAIN', `trust domain "${opts.trustDomain}" may hold only lower-case letters, digits, ".", "-" and "_"`);
  }
  const dataDir = resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // The directory holds the socket, the pepper and the database: only its owner may enter it.
  await chmod(dataDir, 0o700);
  const socketPath = join(dataDir, ADMIN_SOCKET);
  await refuseIfRunning(dataDir, socketPath);

  const dbPath = join(dataDir, DB_FILE);
  // SQLite gives the -wal and -shm files the database file's mode: create it 0600 first.
  await writeFile(dbPath, '', { flag: 'a', mode: 0o600 });
  const store = openSqliteStore(dbPath);
  const clock = opts.clock ?? { now: Date.now };
  const tokens = new TokenService(store, loadOrCreatePepper(dataDir), clock);
  const entries = new EntryService(store, opts.trustDomain, clock);
  const attestors = builtinAttestors({ tokens, ...(opts.reviewToken ? { reviewToken: opts.reviewToken } : {}) });
  const identities = new IdentityService(attestors, entries, store, opts.trustDomain);
  const state: ControlPlaneState = {
    pid: process.pid, version: opts.version, trustDomain: opts.trustDomain, caAddress: null,
    adminSocket: socketPath, startedAt: new Date(clock.now()).toISOString(),
  };
  let server: Server;
  try {
    server = await serveAdmin(socketPath, { tokens, entries, trustDomain: opts.trustDomain, status: () => ({ ready: true, ...state, attestors: [...attestors.keys()] }) }, opts.log);
    await writeStateFile(dataDir, state);
  } catch (err) {
    await store.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    await removeStateFile(dataDir, process.pid);
    await new Promise<void>((done) => { server.close(() => done()); server.closeAllConnections(); });
    await store.close();
  })());
  return { state, store, tokens, entries, identities, close };
}

/** A second control plane on the same data directory would share the socket and the database: refuse it. */
async function refuseIfRunning(dataDir: string, socketPath: string): Promise<void> {
  const existing = await readStateFile(dataDir).catch(() => undefined);
  if (!existing) return;
  if (await socketAnswers(socketPath)) {
    throw new ControlError('MG_CONTROL_ALREADY_RUNNING', `a control plane (pid ${existing.pid}) is already running in ${dataDir}; stop it first or use another --data-dir`);
  }
}

function socketAnswers(path: string): Promise<boolean> {
  return new Promise((done) => {
    const s = connect(path);
    const timer = setTimeout(() => { s.destroy(); done(false); }, 500);
    s.once('connect', () => { clearTimeout(timer); s.end(); done(true); });
    s.once('error', () => { clearTimeout(timer); done(false); });
  });
}
