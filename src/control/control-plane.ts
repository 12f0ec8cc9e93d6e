/**
 * Starts the control plane in a data directory: the store, the token and entry
 * services, the attestors, the CA (its files in `<dataDir>/ca/`, or plugged in
 * with `caDir`), the CA API (gRPC over TLS) and the bundle endpoint, the admin
 * socket, and last `control-plane.json` with the CA API's address.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { builtinAttestors, type ReviewToken } from '../identity/attestors/index.js';
import { parseTrustDomain, type CaKeyAlgorithm } from '../identity/index.js';
import { serveAdmin } from './admin/server.js';
import { type RunningCaService, startCaService } from './ca-service/ca-service.js';
import { startDistribution, type RunningDistribution } from './distribution/index.js';
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
  /** CA API `host:port`; default `127.0.0.1:0` (a free loopback port). */
  listen?: string;
  /** Bundle endpoint `host:port`; default the CA API host on a free port. */
  bundleListen?: string;
  /** A plugged-in CA: Istio `cacerts` directory or a cert-manager CA secret's files. */
  caDir?: string;
  /** Key algorithm of a self-managed root (default ECDSA P-256). */
  caKeyAlgorithm?: CaKeyAlgorithm;
  /** Lifetime of X.509-SVIDs unless a caller asks for less (default 24 h). */
  svidTtlMs?: number;
  /** Drop resources applied by an earlier run before serving (`meshguard up` starts fresh; the CA is kept). */
  freshResources?: boolean;
}


export interface RunningControlPlane {
  state: ControlPlaneState;
  store: Store;
  ca: RunningCaService;
  distribution: RunningDistribution;
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
  let ca: RunningCaService;
  try {
    ca = await startCaService({
      dataDir, trustDomain: parseTrustDomain(opts.trustDomain), store, identities, log: opts.log, now: () => new Date(clock.now()),
      listen: opts.listen ?? '127.0.0.1:0',
      ...(opts.bundleListen ? { bundleListen: opts.bundleListen } : {}), ...(opts.caDir ? { caDir: opts.caDir } : {}),
      ...(opts.caKeyAlgorithm ? { keyAlgorithm: opts.caKeyAlgorithm } : {}),
      // A lifetime set by the operator is also the cap, so `ca rotate --retire` waits only that long for old leaves.
      ...(opts.svidTtlMs ? { defaultSvidTtlMs: opts.svidTtlMs, maxSvidTtlMs: opts.svidTtlMs } : {}),
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  let dist: RunningDistribution;
  try {
    if (opts.freshResources) await store.clearResources();
    // The stream serves with the CA API's own SVID and roots: proxies authenticate it as istiod, it authenticates them by SVID.
    dist = await startDistribution({ store, trustDomain: opts.trustDomain, log: opts.log, now: clock.now, serving: ca.serving });
  } catch (err) {
    await ca.close();
    await store.close();
    throw err;
  }
  const state: ControlPlaneState = {
    pid: process.pid, version: opts.version, trustDomain: opts.trustDomain, caAddress: ca.caAddress,
    configAddress: dist.streamAddress, adminSocket: socketPath, startedAt: new Date(clock.now()).toISOString(),
  };
  let server: Server;
  try {
    server = await serveAdmin(socketPath, {
      tokens, entries, trustDomain: opts.trustDomain, ca: ca.admin, distribution: dist.distributor, status: () => ({ ready: true, ...state, bundleEndpoint: ca.bundleUrl, attestors: [...attestors.keys()] }),
    }, opts.log);
    await writeStateFile(dataDir, state);
  } catch (err) {
    await dist.close();
    await ca.close();
    await store.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= (async () => {
    await removeStateFile(dataDir, process.pid);
    await new Promise<void>((done) => { server.close(() => done()); server.closeAllConnections(); });
    await dist.close();
    await ca.close();
    await store.close();
  })());
  return { state, store, ca, distribution: dist, tokens, entries, identities, close };
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
