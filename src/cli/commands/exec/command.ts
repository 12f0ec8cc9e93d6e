/**
 * `meshguard exec NS/NAME -- CMD…`: runs a command as a workload of the running
 * mesh — its HTTP traffic goes through the workload's sidecar (or, for a legacy
 * workload, its plain forwarder), so Service names work with no root and no
 * `/etc/hosts`. Prints nothing of its own on stdout; exits with the command's
 * code; fails within two seconds when no mesh runs.
 *
 *   meshguard exec default/sleep -- curl -s webapp.istioinaction/api/catalog
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Command } from 'commander';
import { LocalMeshError, LOCAL_ERROR_CODES } from '../../../platform/local/errors.js';
import { workloadEnv } from '../../../platform/local/mesh-plan.js';
import { findRunningMesh, findWorkload, meshDataDir } from '../../../platform/local/running-mesh.js';

interface Flags {
  dataDir?: string;
}

export function register(program: Command): void {
  program
    .command('exec')
    .description('run a command as a workload of the running mesh (its HTTP proxy variables point at the workload\'s sidecar or forwarder)')
    .argument('<workload>', 'namespace/name, e.g. default/sleep')
    .argument('<command...>', 'the command, after --')
    .option('--data-dir <dir>', 'data directory of the mesh (default $MESHGUARD_DIR or ./.meshguard)')
    .action(async (ref: string, command: string[], flags: Flags) => {
      process.exitCode = await run(ref, command, flags);
    });
}

async function run(ref: string, command: string[], flags: Flags): Promise<number> {
  const state = await findRunningMesh(meshDataDir(flags.dataDir));
  const workload = findWorkload(state, ref);
  const [file, ...args] = command;
  if (!file) throw new LocalMeshError(LOCAL_ERROR_CODES.commandFailed, 'no command given: meshguard exec NS/NAME -- COMMAND…');
  const child = spawn(file, args, { stdio: 'inherit', env: workloadEnv(process.env, workload.proxyUrl, {}, {}) });
  // Ctrl-C reaches the command through the terminal; exec waits for it to finish and reports its code.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise((resolve, reject) => {
    child.once('error', (err) => reject(new LocalMeshError(LOCAL_ERROR_CODES.commandFailed, `cannot run ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'command not found' : err.message}`)));
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] ?? 0 : 0)));
  });
}
