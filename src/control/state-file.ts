/**
 * `control-plane.json` in the data directory: how commands find the running
 * control plane. Written atomically (temp file + rename) once the admin
 * socket listens, removed on clean shutdown; a stale one is detected by clients.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const STATE_FILE = 'control-plane.json';
export const ADMIN_SOCKET = 'admin.sock';

export interface ControlPlaneState {
  pid: number;
  version: string;
  trustDomain: string;
  /** The CA API (gRPC over TLS), `host:port`. */
  caAddress: string | null;
  /** The configuration stream proxies subscribe to, `host:port`. */
  configAddress?: string;
  adminSocket: string;
  /** RFC 3339. */
  startedAt: string;
}

/** @example await writeStateFile('.meshguard', { pid: process.pid, … }); */
export async function writeStateFile(dataDir: string, state: ControlPlaneState): Promise<void> {
  const path = join(dataDir, STATE_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}

/** The state file, or `undefined` when there is none; throws on a file that is not ours. */
export async function readStateFile(dataDir: string): Promise<ControlPlaneState | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, STATE_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = JSON.parse(text) as Partial<ControlPlaneState>;
  if (typeof parsed.pid !== 'number' || typeof parsed.adminSocket !== 'string' || typeof parsed.trustDomain !== 'string') {
    throw new TypeError(`${join(dataDir, STATE_FILE)} is not a meshguard control-plane state file`);
  }
  return parsed as ControlPlaneState;
}

/** Removes the state file only if it is still ours (another instance may have replaced it). */
export async function removeStateFile(dataDir: string, pid: number): Promise<void> {
  const current = await readStateFile(dataDir).catch(() => undefined);
  if (current?.pid === pid) await rm(join(dataDir, STATE_FILE), { force: true });
}
