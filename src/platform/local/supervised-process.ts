/**
 * One child of `up`: started under a watchdog (so it dies with `up`), its output
 * split into lines and handed to a sink with a prefix, its exit observable, and
 * a `stop()` that signals it and waits, escalating to SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import { DEFAULT_GRACE_MS, watchdogCommand } from './watchdog.js';

/** Lines kept per child for error messages ("the sidecar exited: …last lines…"). */
const TAIL_LINES = 20;

export interface SupervisedSpec {
  /** Shown in logs and errors: `istioinaction/webapp sidecar`. */
  label: string;
  command: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Receives every output line of the child (stdout and stderr). */
  onLine: (line: string) => void;
  graceMs?: number;
}

export interface SupervisedProcess {
  readonly label: string;
  /** The watchdog's pid; the command runs in a process group of its own below it. */
  readonly pid: number;
  /** Resolves with the exit code (128+n for a signal) once the child is gone. */
  readonly exited: Promise<number>;
  /** The child's last output lines. */
  tail(): string[];
  /** Whether it has exited. */
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after the grace period; resolves once it is gone. */
  stop(): Promise<number>;
}

/**
 * Starts `spec.command` under a watchdog of this process.
 *
 * @example
 * const app = startSupervised({ label: 'default/sleep', command: ['sleep', '60'], env: process.env, onLine: console.error });
 * await app.stop();
 */
export function startSupervised(spec: SupervisedSpec): SupervisedProcess {
  const grace = spec.graceMs ?? DEFAULT_GRACE_MS;
  const watchdog = watchdogCommand(process.pid, spec.command, grace);
  const child: ChildProcess = spawn(watchdog.file, watchdog.args, {
    env: spec.env, stdio: ['pipe', 'pipe', 'pipe'], ...(spec.cwd ? { cwd: spec.cwd } : {}),
  });
  const lines: string[] = [];
  const take = (line: string) => {
    lines.push(line);
    if (lines.length > TAIL_LINES) lines.shift();
    spec.onLine(line);
  };
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', take);
  }
  // The pipe stays open for the child's life: its closing tells the watchdog that `up` is gone.
  child.stdin?.on('error', () => undefined);
  let done = false;
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve(code ?? (signal ? 128 + signalNumber(signal) : 1));
    });
    child.once('error', (err) => {
      done = true;
      take(`cannot start: ${err.message}`);
      resolve(127);
    });
  });
  const stop = async (): Promise<number> => {
    if (!done) {
      child.kill('SIGTERM');
      // The watchdog SIGKILLs the group after the grace period; this is in case the watchdog itself hangs.
      const timer = setTimeout(() => child.kill('SIGKILL'), grace + 1000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    }
    return exited;
  };
  return { label: spec.label, pid: child.pid ?? -1, exited, tail: () => [...lines], hasExited: () => done, stop };
}

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}
