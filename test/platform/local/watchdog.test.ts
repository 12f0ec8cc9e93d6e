import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { PARENT_POLL_MS, watchdogArgs, watchdogCommand, type WatchdogCommand } from '../../../src/platform/local/watchdog.js';

const GRACE_MS = 500;
/** How long a stop may take at most: one parent poll, the grace period, and slack for a loaded machine. */
const STOP_BOUND_MS = PARENT_POLL_MS + GRACE_MS + 2500;

type Make = (parentPid: number, command: readonly string[]) => WatchdogCommand;

const variants: { name: string; make: Make }[] = [
  { name: 'shell watchdog', make: (p, c) => watchdogCommand(p, c, GRACE_MS) },
  { name: 'Node watchdog (fallback)', make: (p, c) => ({ file: process.execPath, args: watchdogArgs(p, c, GRACE_MS) }) },
];

// Every machine we run on (and CI) has /bin/sh and setsid: the cheap shell watchdog must be the one chosen,
// so its tests below test the shell and not the Node fallback a second time.
it('chooses the shell watchdog where /bin/sh and setsid exist', () => {
  assert.equal(watchdogCommand(process.pid, ['true']).file, '/bin/sh');
});

/** A command that prints its pid, then sleeps: the pid tells whether it still runs. */
const SLEEPER = ['/bin/sh', '-c', 'echo $$; exec sleep 30'];

interface Watched {
  watchdog: ChildProcess;
  childPid: number;
  exited: Promise<number | null>;
}

async function startWatched(make: Make, parentPid: number, command: readonly string[]): Promise<Watched> {
  const w = make(parentPid, command);
  const watchdog = spawn(w.file, w.args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(watchdog, 'exit').then(([code, signal]) => (code as number | null) ?? (signal ? -1 : null));
  const [line] = (await once(createInterface({ input: watchdog.stdout! }), 'line')) as [string];
  return { watchdog, childPid: Number(line), exited };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function goneWithin(pid: number, ms: number): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (!alive(pid)) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 25));
  }
  return undefined;
}

async function exitCodeOf(make: Make, command: readonly string[]): Promise<number | null> {
  const w = make(process.pid, command);
  const watchdog = spawn(w.file, w.args, { stdio: ['pipe', 'ignore', 'inherit'] });
  const [code] = (await once(watchdog, 'exit')) as [number | null];
  watchdog.stdin?.destroy();
  return code;
}

for (const { name, make } of variants) {
  describe(name, () => {
    it('kills its child when the parent pid disappears, even while its stdin pipe stays open', async () => {
      const parent = spawn('sleep', ['30'], { stdio: 'ignore' });
      const { watchdog, childPid, exited } = await startWatched(make, parent.pid!, SLEEPER);
      try {
        assert.ok(alive(childPid), 'the child runs while its parent lives');
        parent.kill('SIGKILL');
        await once(parent, 'exit');
        const took = await goneWithin(childPid, STOP_BOUND_MS);
        assert.ok(took !== undefined, `child ${childPid} still running ${STOP_BOUND_MS} ms after its parent died`);
        await exited;
      } finally {
        if (alive(childPid)) process.kill(childPid, 'SIGKILL');
        watchdog.stdin?.destroy();
        parent.kill('SIGKILL');
      }
    });

    it('kills its child at once when its stdin closes (the parent died and the kernel closed the pipe)', async () => {
      const { watchdog, childPid, exited } = await startWatched(make, process.pid, SLEEPER);
      try {
        watchdog.stdin!.end();
        const took = await goneWithin(childPid, STOP_BOUND_MS);
        assert.ok(took !== undefined, `child ${childPid} still running after the pipe closed`);
        await exited;
      } finally {
        if (alive(childPid)) process.kill(childPid, 'SIGKILL');
      }
    });

    it('passes the child’s exit code through while the parent lives', async () => {
      assert.equal(await exitCodeOf(make, ['/bin/sh', '-c', 'exit 7']), 7);
      assert.equal(await exitCodeOf(make, ['/bin/sh', '-c', 'exit 0']), 0);
      // Killed by SIGTERM (15): 128 + 15, as a shell reports it.
      assert.equal(await exitCodeOf(make, ['/bin/sh', '-c', 'kill -TERM $$']), 143);
    });

    it('turns SIGTERM into SIGTERM for the child and exits with its status, even right after the start', async () => {
      // Sent as soon as the command prints: a watchdog that set its handlers after the spawn lost this race.
      for (let round = 0; round < 3; round++) {
        const { watchdog, childPid, exited } = await startWatched(make, process.pid, SLEEPER);
        try {
          watchdog.kill('SIGTERM');
          assert.ok((await goneWithin(childPid, STOP_BOUND_MS)) !== undefined, `round ${round}: the child outlived SIGTERM to its watchdog`);
          assert.equal(await exited, 143);
        } finally {
          if (alive(childPid)) process.kill(childPid, 'SIGKILL');
          watchdog.stdin?.destroy();
        }
      }
    });
  });
}
