/**
 * `up.json` in the data directory: how `down` and `exec` find the running local
 * mesh. Written atomically once everything is ready, removed on a clean stop;
 * one whose process is gone is stale and the next `up` takes it over.
 */
import { readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PlannedWorkload } from './mesh-plan.js';

export const UP_STATE_FILE = 'up.json';

/**
 * One workload of the running mesh, as `exec` needs it: the plan's facts (`address` is the
 * sidecar's, or the legacy app's own) plus the HTTP proxy its traffic goes through — its
 * sidecar's outbound, or its legacy forwarder.
 */
export type UpWorkload = Pick<PlannedWorkload, 'namespace' | 'name' | 'serviceAccount' | 'sidecar' | 'address' | 'appAddress' | 'spiffeId'> & {
  proxyUrl: string;
};

export interface UpState {
  pid: number;
  /** RFC 3339. */
  startedAt: string;
  workloads: UpWorkload[];
}

/** @example await writeUpState('.meshguard', { pid: process.pid, startedAt, workloads }); */
export async function writeUpState(dataDir: string, state: UpState): Promise<void> {
  const path = join(dataDir, UP_STATE_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}

/** The state, or `undefined` when there is none or it is unreadable (a half-written file is no mesh). */
export async function readUpState(dataDir: string): Promise<UpState | undefined> {
  let text: string;
  try {
    text = await readFile(join(dataDir, UP_STATE_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<UpState>;
    if (typeof parsed.pid !== 'number' || !Array.isArray(parsed.workloads)) return undefined;
    return parsed as UpState;
  } catch {
    return undefined;
  }
}

/** Removes the state file if it is still `pid`'s. */
export async function removeUpState(dataDir: string, pid: number): Promise<void> {
  const current = await readUpState(dataDir);
  if (current?.pid === pid) await rm(join(dataDir, UP_STATE_FILE), { force: true });
}

/** Whether a process exists and has not exited (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** An exited process its parent has not reaped yet still answers signal 0; on Linux /proc tells (elsewhere: assume alive). */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) S …`: the state follows the last ')' (comm may hold parentheses).
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false;
  }
}
