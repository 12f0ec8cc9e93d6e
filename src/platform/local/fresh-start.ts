/**
 * `up` starts a fresh mesh in a data directory that may hold an earlier run:
 * refuse if that run is alive, take over its leftovers if it was killed, and
 * drop the resources it applied. The CA (`ca/`), the token pepper and the
 * database file stay: the root survives runs, so trust does not churn.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DB_FILE } from '../../control/control-plane.js';
import { openSqliteStore } from '../../control/store/sqlite.js';
import { LocalMeshError, LOCAL_ERROR_CODES } from './errors.js';
import { processAlive, readUpState, UP_STATE_FILE } from './up-state.js';

/** Where sidecars write `NS.NAME.json`; a killed run's files describe processes that are gone. */
export const PROXIES_DIR = 'proxies';
export const LOGS_DIR = 'logs';

export interface FreshStartReport {
  /** The pid of a killed run whose state was taken over. */
  tookOverFrom: number | null;
  /** Resources of the earlier run that were dropped. */
  droppedResources: number;
}

/**
 * Prepares `dataDir` for a new run.
 *
 * @example const { tookOverFrom, droppedResources } = await prepareFreshStart('.meshguard');
 */
export async function prepareFreshStart(dataDir: string): Promise<FreshStartReport> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
  const previous = await readUpState(dataDir);
  if (previous && previous.pid !== process.pid && processAlive(previous.pid)) {
    throw new LocalMeshError(LOCAL_ERROR_CODES.alreadyRunning, `a mesh is already running in ${dataDir} (meshguard up, pid ${previous.pid}); stop it with \`meshguard down\` first`);
  }
  await rm(join(dataDir, UP_STATE_FILE), { force: true });
  await rm(join(dataDir, PROXIES_DIR), { recursive: true, force: true });
  await mkdir(join(dataDir, LOGS_DIR), { recursive: true, mode: 0o700 });
  return { tookOverFrom: previous ? previous.pid : null, droppedResources: await dropResources(dataDir) };
}

/** Empties the resource table of an existing database (tokens and entries are the control plane's own business). */
async function dropResources(dataDir: string): Promise<number> {
  const dbPath = join(dataDir, DB_FILE);
  if (!existsSync(dbPath)) return 0;
  const store = openSqliteStore(dbPath);
  try {
    return await store.clearResources();
  } finally {
    await store.close();
  }
}
