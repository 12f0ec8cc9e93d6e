// A `meshguard up -f examples/istio-in-action` of its own for an end-to-end test file: its own
// data directory, the CLI run from source (tsx) against it, `curl` through `meshguard exec
// default/sleep`, the chapter's YAML applied step by step, and the logs the mesh writes.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');
export const CH9 = 'examples/istio-in-action/ch9';

export interface CliResult { code: number; stdout: string; stderr: string }

export interface LocalMesh {
  readonly dataDir: string;
  /** Starts `up` and resolves once it prints `mesh ready` (call from `before`). */
  start(): Promise<void>;
  /** Kills `up` if it still runs and removes the data directory (call from `after`). */
  stop(): void;
  /** `up`'s exit code once it ended, and what it wrote to stderr. */
  exited(): Promise<number | null>;
  stderr(): string;
  meshguard(args: string[], timeout?: number): Promise<CliResult>;
  /** `kubectl exec deploy/sleep -- curl -s [-H …] <url> -w "%{http_code}"`: status, curl's exit code, body. */
  sleepCurl(url: string, headers?: string[]): Promise<{ status: string; exit: number; body: string }>;
  /** `meshguard apply -f ch9/<file>`, then the second every proxy has to take the change; its stdout. */
  apply(file: string): Promise<string>;
  /** A log file of the mesh (`<ns>.<name>.log`, `<ns>.<name>.sidecar.log`). */
  log(file: string): string;
}

/** @example const mesh = localMesh('mg-e2e-'); before(() => mesh.start()); after(() => mesh.stop()); */
export function localMesh(prefix: string): LocalMesh {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(root, '.meshguard');
  const env = { ...process.env, MESHGUARD_DIR: dataDir, NO_COLOR: '1' };
  let up: ChildProcess | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);
  let upErr = '';
  const meshguard = (args: string[], timeout = 30_000) => new Promise<CliResult>((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: REPO, env, timeout, encoding: 'utf8' },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
  return {
    dataDir,
    async start() {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'up', '-f', 'examples/istio-in-action'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
      up = child;
      exited = new Promise((done) => child.once('exit', (code) => done(code)));
      let out = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (upErr += c.toString()));
      const deadline = Date.now() + 60_000;
      while (!out.includes('mesh ready')) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`meshguard up did not get ready:\n${upErr}`);
        await new Promise((t) => setTimeout(t, 200));
      }
    },
    stop() {
      if (up && up.exitCode === null) up.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
    },
    exited: () => exited,
    stderr: () => upErr,
    meshguard,
    async sleepCurl(url, headers = []) {
      const r = await meshguard(['exec', 'default/sleep', '--', 'curl', '-s', ...headers.flatMap((h) => ['-H', h]), '-w', '\n%{http_code}', url]);
      const lines = r.stdout.split('\n');
      return { status: lines.pop() ?? '', exit: r.code, body: lines.join('\n') };
    },
    async apply(file) {
      const r = await meshguard(['apply', '-f', `${CH9}/${file}`]);
      assert.equal(r.code, 0, r.stderr);
      // Every proxy has a change within a second (the bound).
      await new Promise((t) => setTimeout(t, 1000));
      return r.stdout;
    },
    log: (file) => readFileSync(join(dataDir, 'logs', file), 'utf8'),
  };
}
