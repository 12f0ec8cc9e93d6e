/**
 * How commands find and talk to the running control plane: read
 * `control-plane.json` in the data directory, then speak JSON over HTTP on its
 * admin socket. Absent, stale or unresponsive → `MG_CONTROL_NOT_RUNNING` within
 * two seconds, with how to start one. How answers are printed is `output.ts`.
 */
import { resolve } from 'node:path';
import { Client } from 'undici';
import type { Command } from 'commander';
import { ControlPlaneNotRunningError } from '../control/errors.js';
import { readStateFile } from '../control/state-file.js';
import { MeshguardError } from '../errors.js';
import { parseOutputFormat, type TableFormat } from './output.js';

/** The data directory when neither `--data-dir` nor `MESHGUARD_DIR` is given: `./.meshguard`, as SPIRE keeps `.data`. */
export const DEFAULT_DATA_DIR = '.meshguard';
/** Names the data directory for every command (`--data-dir` wins). */
export const ENV_DATA_DIR = 'MESHGUARD_DIR';
/** Every admin request, including finding the control plane, ends within this (the issue asks for < 2 s). */
const ADMIN_TIMEOUT_MS = 1500;

/** `--data-dir`, else `$MESHGUARD_DIR`, else `./.meshguard`. @example resolveDataDir(undefined) // '/cwd/.meshguard' */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? (env[ENV_DATA_DIR] || DEFAULT_DATA_DIR));
}

export interface AdminClient {
  readonly dataDir: string;
  call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  close(): Promise<void>;
}

/**
 * Connects to the control plane in `dataDir` and checks it answers.
 *
 * @example
 *   const admin = await connectControlPlane(resolveDataDir(opts.dataDir));
 *   const { items } = await admin.call('GET', '/v1/entries');
 */
export async function connectControlPlane(dataDir: string): Promise<AdminClient> {
  const state = await readStateFile(dataDir).catch(() => undefined);
  if (!state) throw new ControlPlaneNotRunningError(dataDir, 'no control-plane.json');
  if (!pidAlive(state.pid)) throw new ControlPlaneNotRunningError(dataDir, `stale control-plane.json: process ${state.pid} is gone`);
  const client = new Client('http://meshguard-admin', {
    socketPath: state.adminSocket, connectTimeout: ADMIN_TIMEOUT_MS, headersTimeout: ADMIN_TIMEOUT_MS, bodyTimeout: ADMIN_TIMEOUT_MS,
  });
  const admin: AdminClient = {
    dataDir,
    async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
      const res = await client.request({
        method, path, signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS),
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      const json = (await res.body.json()) as { error?: { code?: string; message?: string } };
      if (res.statusCode >= 400) {
        throw new MeshguardError(json.error?.code ?? 'MG_CONTROL_INTERNAL', json.error?.message ?? `the control plane answered ${res.statusCode}`);
      }
      return json as T;
    },
    close: () => client.close(),
  };
  try {
    const status = await admin.call<{ ready?: boolean }>('GET', '/v1/status');
    if (status.ready !== true) throw new Error('not ready');
  } catch (err) {
    await client.destroy().catch(() => undefined);
    throw new ControlPlaneNotRunningError(dataDir, `its admin socket does not answer: ${(err as Error).message}`);
  }
  return admin;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else — let the socket decide.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// `proxy-config secret` still imports these from here; they live in output.ts now.
export { parseOutputFormat, printRows } from './output.js';

/** `--data-dir` as every control-plane command spells it. */
const DATA_DIR_HELP = 'data directory of the control plane (default $MESHGUARD_DIR or ./.meshguard)';

/**
 * Adds a subcommand that asks the running control plane and prints the answer:
 * `-o table|json|yaml` and `--data-dir` declared, the format checked before
 * connecting, the connection closed however `run` ends.
 *
 * @example
 *   addAdminQuery(parent, 'list', 'list registration entries', async (admin, format) => {
 *     const { items } = await admin.call<{ items: Entry[] }>('GET', '/v1/entries');
 *     printRows(items, columns, format, { items });
 *   });
 */
export function addAdminQuery(
  parent: Command, name: string, description: string,
  run: (admin: AdminClient, format: TableFormat) => Promise<void>, outputHelp = 'table, json or yaml',
): Command {
  return parent
    .command(name)
    .description(description)
    .option('-o, --output <format>', outputHelp, 'table')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .action(async (flags: { output: string; dataDir?: string }) => {
      const format = parseOutputFormat(flags.output);
      const admin = await connectControlPlane(resolveDataDir(flags.dataDir));
      try {
        await run(admin, format);
      } finally {
        await admin.close();
      }
    });
}
