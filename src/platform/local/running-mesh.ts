/**
 * Finding the mesh `up` runs, for `down` and `exec`: `up.json` names `up`'s pid
 * and each workload's proxy. Quick by design (no control-plane round trip):
 * `exec` must fail within two seconds when no mesh runs.
 */
import { resolve } from 'node:path';
import { LocalMeshError, LOCAL_ERROR_CODES } from './errors.js';
import { processAlive, readUpState, type UpState, type UpWorkload } from './up-state.js';

/**
 * `--data-dir`, else `$MESHGUARD_DIR`, else `./.meshguard` — the rule of `cli/control-client.ts`'s
 * `resolveDataDir`, restated here so that `exec` does not load the admin client (undici) just to find a file.
 */
export function meshDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? (env.MESHGUARD_DIR || '.meshguard'));
}

/** How long `down` waits for `up` to stop everything (children have a 3 s grace each, in two rounds). */
export const DOWN_TIMEOUT_MS = 20_000;
const START_HINT = 'start one with `meshguard up -f examples/istio-in-action`';

/**
 * The running mesh in `dataDir`, or `MG_UP_NOT_RUNNING`.
 *
 * @example const state = await findRunningMesh('/repo/.meshguard');
 */
export async function findRunningMesh(dataDir: string): Promise<UpState> {
  const state = await readUpState(dataDir);
  if (!state) throw new LocalMeshError(LOCAL_ERROR_CODES.notRunning, `no mesh is running in ${dataDir} (no up.json); ${START_HINT}`);
  if (!processAlive(state.pid)) {
    throw new LocalMeshError(LOCAL_ERROR_CODES.notRunning, `no mesh is running in ${dataDir}: meshguard up (pid ${state.pid}) is gone; ${START_HINT}`);
  }
  return state;
}

/**
 * The workload `ref` (`namespace/name`) of the running mesh.
 *
 * @example findWorkload(state, 'default/sleep').proxyUrl // 'http://127.77.1.1:40211'
 */
export function findWorkload(state: UpState, ref: string): UpWorkload {
  const found = state.workloads.find((w) => `${w.namespace}/${w.name}` === ref);
  if (!found) {
    const known = state.workloads.map((w) => `${w.namespace}/${w.name}`).join(', ') || '(none)';
    const hint = ref.includes('/') ? '' : ' (write it as namespace/name)';
    throw new LocalMeshError(LOCAL_ERROR_CODES.unknownWorkload, `no workload ${ref} in the running mesh${hint}; its workloads: ${known}`);
  }
  return found;
}

/**
 * Signals `up` to stop (SIGTERM, as Ctrl-C would) and waits until it is gone.
 *
 * @example const { pid } = await stopRunningMesh('.meshguard');
 */
export async function stopRunningMesh(dataDir: string, timeoutMs: number = DOWN_TIMEOUT_MS): Promise<{ pid: number }> {
  const state = await findRunningMesh(dataDir);
  try {
    process.kill(state.pid, 'SIGTERM');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
  const deadline = Date.now() + timeoutMs;
  while (processAlive(state.pid)) {
    if (Date.now() >= deadline) {
      throw new LocalMeshError(LOCAL_ERROR_CODES.stopTimeout, `meshguard up (pid ${state.pid}) did not stop within ${timeoutMs / 1000} s; see ${dataDir}/logs, or kill it (its children then stop by themselves)`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { pid: state.pid };
}
