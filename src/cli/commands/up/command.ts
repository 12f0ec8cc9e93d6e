/**
 * `meshguard up -f DIR`: a fresh local mesh in the foreground — the control
 * plane, a sidecar per meshed Workload, the workloads' commands — until Ctrl-C,
 * SIGTERM or `meshguard down`; then everything it started stops and it exits 0.
 * Progress and the apps' output go to stderr, the summary to stdout.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { packageVersion } from '../../../package-root.js';
import { LocalMeshError, LOCAL_ERROR_CODES } from '../../../platform/local/errors.js';
import { LOGS_DIR } from '../../../platform/local/fresh-start.js';
import { planMesh } from '../../../platform/local/mesh-plan.js';
import { startLocalMesh } from '../../../platform/local/supervisor.js';
import { resolveDataDir } from '../../control-client.js';
import { loadConfig, printConfigErrors, withConfigFlags, type ConfigFlags } from '../../load-config.js';
import { summaryLines } from './print-summary.js';

/** Overrides the sidecar command (a JSON array; the contract's flags are appended): another build, or a stand-in in tests. */
export const ENV_SIDECAR_COMMAND = 'MESHGUARD_SIDECAR_COMMAND';

interface Flags extends ConfigFlags {
  dataDir?: string;
}

export function register(program: Command): void {
  withConfigFlags(program.command('up'))
    .description('start a local mesh from a directory of resources (foreground; Ctrl-C, SIGTERM or `meshguard down` stops it)')
    .option('--data-dir <dir>', 'data directory (default $MESHGUARD_DIR or ./.meshguard)')
    .action(async (flags: Flags) => run(flags));
}

async function run(flags: Flags): Promise<void> {
  const began = Date.now();
  if (flags.filename.length === 0) throw new LocalMeshError(LOCAL_ERROR_CODES.badConfig, 'nothing to start: pass -f DIR (e.g. meshguard up -f examples/istio-in-action)');
  const loaded = await loadConfig(flags);
  if (loaded.errors.length > 0) {
    printConfigErrors(loaded.errors);
    throw new LocalMeshError(LOCAL_ERROR_CODES.badConfig, `${loaded.errors.length} configuration error(s); nothing was started`);
  }
  planMesh(loaded.resources, loaded.mesh.trustDomain); // address errors now, before anything starts
  const dataDir = resolveDataDir(flags.dataDir);
  let stopRequested: string | undefined;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      if (stopRequested) return;
      stopRequested = signal;
      process.stderr.write(`up: ${signal}: stopping the mesh\n`);
      resolve();
    };
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => onSignal(s));
  });
  const mesh = await startLocalMesh({
    dataDir, resources: loaded.resources, ...(loaded.meshSource ? { mesh: loaded.mesh } : {}), trustDomain: loaded.mesh.trustDomain,
    version: packageVersion(), sidecarCommand: sidecarCommand(), cwd: process.cwd(),
    log: pino({ name: 'meshguard-control-plane' }, pino.destination({ dest: join(dataDir, LOGS_DIR, 'control-plane.log'), mkdir: true, sync: true })),
    progress: (line) => process.stderr.write(`up: ${line}\n`),
    appOutput: (ref, line) => process.stderr.write(`[${ref}] ${line}\n`),
  });
  if (!stopRequested) {
    const sources = flags.filename.filter((f) => f !== '-');
    process.stdout.write(`${summaryLines(mesh.workloads, loaded.resources, sources, (Date.now() - began) / 1000).join('\n')}\n`);
    process.stderr.write(`up: logs in ${join(dataDir, LOGS_DIR)}\n`);
  }
  await stopped;
  await mesh.stop();
  process.stderr.write('up: stopped\n');
  process.exit(0);
}

/** `meshguard proxy` run the way this `meshguard` runs (same node, loader flags and entry script), unless overridden. */
function sidecarCommand(): string[] {
  const override = process.env[ENV_SIDECAR_COMMAND];
  if (override) {
    const parsed: unknown = JSON.parse(override);
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((a) => typeof a === 'string')) {
      throw new LocalMeshError(LOCAL_ERROR_CODES.badConfig, `${ENV_SIDECAR_COMMAND} must be a JSON array of strings, e.g. ["node","proxy.js"]`);
    }
    return parsed as string[];
  }
  const entry = process.argv[1];
  if (!entry) throw new TypeError('cannot tell how meshguard was started (no entry script)');
  return [process.execPath, ...process.execArgv, entry, 'proxy'];
}

