/**
 * Runs the real `meshguard` CLI as a child process (`node --import tsx
 * src/cli/main.ts`, not a build others may be changing), and a real control
 * plane in a temp data directory for it to talk to. The one CLI runner of the
 * tests: each run costs about a second here, so tests share runs.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, where the CLI runs. */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const ROOT = REPO;
const MAIN = join(ROOT, 'src/cli/main.ts');
const NODE_ARGS = ['--import', 'tsx', MAIN];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliOptions {
  /** Written to the child's stdin (which is closed either way, so `--request -` never waits). */
  stdin?: string;
  /** The child is killed after this; default 30 s. */
  timeoutMs?: number;
}

/**
 * Runs `meshguard <args>` from the repository root, the way a user does, with `env` added to
 * this process's environment, and resolves when it exits. Never rejects.
 *
 * @example const r = await runCli(['check', '--request', '-'], {}, { stdin: '{}' }); assert.equal(r.code, 1);
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, opts: CliOptions = {}): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [...NODE_ARGS, ...args], {
      cwd: ROOT, encoding: 'utf8', timeout: opts.timeoutMs ?? 30_000, env: { ...process.env, NO_COLOR: '1', ...env },
    }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
    child.stdin?.end(opts.stdin ?? '');
  });
}

export interface CliControlPlane {
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `meshguard control-plane --data-dir <temp>` and waits (≤ 15 s) for its control-plane.json. */
export async function startCliControlPlane(extra: string[] = []): Promise<CliControlPlane> {
  const root = mkdtempSync(join(tmpdir(), 'mg-cli-'));
  const dataDir = join(root, 'data');
  const child = spawn(process.execPath, [...NODE_ARGS, 'control-plane', '--data-dir', dataDir, ...extra], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 15_000;
  while (!existsSync(join(dataDir, 'control-plane.json'))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`control plane did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    dataDir, child, output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      rmSync(root, { recursive: true, force: true });
      return code;
    },
  };
}
