/**
 * How commands find and talk to the running control plane: read
 * `control-plane.json` in the data directory, then speak JSON over HTTP on its
 * admin socket. Absent, stale or unresponsive → `MG_CONTROL_NOT_RUNNING` within
 * two seconds, with how to start one. Also renders admin answers as kubectl does
 * (`-o table|json|yaml`); that part belongs in a shared `cli/output.ts` once one exists.
 */
import { resolve } from 'node:path';
import { Client } from 'undici';
import { stringify as toYaml } from 'yaml';
import { ControlPlaneNotRunningError } from '../control/errors.js';
import { readStateFile } from '../control/state-file.js';
import { MeshguardError } from '../errors.js';

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

export type OutputFormat = 'table' | 'json' | 'yaml';

/** Validates `-o`. */
export function parseOutputFormat(value: string): OutputFormat {
  if (value === 'table' || value === 'json' || value === 'yaml' || value === 'wide') return value === 'wide' ? 'table' : value;
  throw new MeshguardError('MG_CLI_BAD_OUTPUT', `-o must be table, json or yaml, not "${value}"`);
}

/** A column: its header and how to read it from a row. */
export type Column<T> = [header: string, get: (row: T) => string];

/** Prints rows as an aligned table (kubectl style: upper-case headers, two spaces), or as JSON/YAML of `raw`. */
export function printRows<T>(rows: readonly T[], columns: readonly Column<T>[], format: OutputFormat, raw: unknown = rows): void {
  if (format !== 'table') return printValue(raw, format);
  if (rows.length === 0) {
    process.stdout.write('No resources found.\n');
    return;
  }
  const cells = [columns.map(([h]) => h.toUpperCase()), ...rows.map((r) => columns.map(([, get]) => get(r)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  for (const line of cells) process.stdout.write(`${line.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`);
}

/** Prints one value as JSON or YAML. */
export function printValue(value: unknown, format: 'json' | 'yaml'): void {
  process.stdout.write(format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : toYaml(value));
}

/** kubectl's AGE column: `45s`, `12m`, `3h`, `2d`. */
export function age(fromMs: number, now: number = Date.now()): string {
  const s = Math.max(0, Math.round((now - fromMs) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
