/**
 * Test support: a manifest directory with fixture workloads, and `meshguard up`
 * run on it as a real process with the stand-in sidecar (until `meshguard proxy`
 * lands), so signals, SIGKILL and `down` are exercised for real.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../../src/platform/local/ports.js';

export const REPO = resolve(import.meta.dirname, '../../..');
export const STAND_IN = join(REPO, 'test/platform/local/stand-in-sidecar.mjs');
export const FIXTURE_APP = join(REPO, 'test/platform/local/fixture-app.mjs');
export const MAIN = join(REPO, 'src/cli/main.ts');

export interface Fixture {
  dir: string;
  dataDir: string;
  /** The meshed app's port (webapp-like), and the ports for STAND_IN_PORTS. */
  appPort: number;
  ports: Record<string, number[]>;
}

/** A manifest: `demo/app` (meshed, fixture app, env GREETING), `demo/legacy` (no sidecar), Service `app` 80 → appPort. */
export async function makeFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'mg-up-'));
  const appPort = await freePort('127.0.0.1');
  writeFileSync(join(dir, 'mesh.yaml'), `apiVersion: meshguard.dev/v1alpha1
kind: Workload
metadata: { name: app, namespace: demo, labels: { app: app } }
spec:
  serviceAccount: app
  ports: [{ name: http, port: ${appPort} }]
  command: ["${process.execPath}", "${FIXTURE_APP}", "${dir}"]
  env: { GREETING: hello }
---
apiVersion: meshguard.dev/v1alpha1
kind: Workload
metadata: { name: legacy, namespace: demo, labels: { app: legacy } }
spec:
  serviceAccount: legacy
  sidecar: false
---
apiVersion: v1
kind: Service
metadata: { name: app, namespace: demo }
spec:
  selector: { app: app }
  ports: [{ name: http, port: 80, targetPort: ${appPort} }]
`);
  return { dir, dataDir: join(dir, '.meshguard'), appPort, ports: { 'demo/app': [appPort] } };
}

export interface UpProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Runs `meshguard up -f DIR` with the stand-in sidecar; resolves once it prints the summary. */
export async function runUp(f: Fixture, extraEnv: NodeJS.ProcessEnv = {}): Promise<UpProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'up', '-f', f.dir, '--data-dir', f.dataDir], {
    cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MESHGUARD_SIDECAR_COMMAND: JSON.stringify([process.execPath, STAND_IN]), STAND_IN_PORTS: JSON.stringify(f.ports), ...extraEnv },
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr?.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const deadline = Date.now() + 25_000;
  while (!out.includes('Try:')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`up did not become ready:\n${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs the CLI to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): { status: number | null; stdout: string; stderr: string; ms: number } {
  const began = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000, ...(input === undefined ? {} : { input }) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - began };
}

/** Pids of processes whose command line mentions `needle` (read from /proc, so no `ps` or `grep` of our own shows up). */
export function pidsMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}
