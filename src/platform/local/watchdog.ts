/**
 * Children of `up` must not outlive it, even when it is SIGKILLed and cannot
 * clean up. Without `prctl(PR_SET_PDEATHSIG)` in Node, each child runs under a
 * tiny watchdog: a plain Node script (no TypeScript loader, so it starts in
 * ~40 ms) that starts the real command in its own process group and kills that
 * group when `up` goes away. It notices at once through its stdin — a pipe from
 * `up` that the kernel closes when `up` dies — and, in case something else holds
 * the pipe, by polling `up`'s pid.
 *
 * The watchdog ignores SIGINT (a Ctrl-C reaches the whole terminal group: `up`
 * stops children in order itself) and turns SIGTERM into SIGTERM for the group,
 * then SIGKILL after the grace period. It exits with the command's code.
 */

/** How often the watchdog checks `up`'s pid, in case its stdin stays open. */
export const PARENT_POLL_MS = 500;
/** SIGTERM → SIGKILL delay for a child's process group. */
export const DEFAULT_GRACE_MS = 3000;

// Kept in plain JavaScript (CommonJS, as `node -e` runs it) and small on purpose; tested in test/platform/local/watchdog.test.ts.
const WATCHDOG_SOURCE = `
const { spawn } = require('node:child_process');
const [parentArg, graceArg, ...command] = process.argv.slice(1);
const parent = Number(parentArg), grace = Number(graceArg);
const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
let stopping = false;
const group = (signal) => { try { process.kill(-child.pid, signal); } catch {} };
const stop = () => {
  if (stopping) return;
  stopping = true;
  group('SIGTERM');
  setTimeout(() => { group('SIGKILL'); process.exit(137); }, grace).unref();
};
child.on('error', (err) => { process.stderr.write('cannot start ' + command[0] + ': ' + err.message + '\\n'); process.exit(127); });
child.on('exit', (code, signal) => {
  group('SIGKILL');
  process.exit(code ?? 128 + (require('node:os').constants.signals[signal] ?? 0));
});
process.on('SIGINT', () => {});
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
setInterval(() => { try { process.kill(parent, 0); } catch (e) { if (e.code !== 'EPERM') stop(); } }, ${PARENT_POLL_MS});
`;

/**
 * The argv (after `node`) that runs `command` under a watchdog of `parentPid`.
 * Spawn it with `stdin: 'pipe'` and keep the pipe open: its closing is the signal.
 *
 * @example
 * spawn(process.execPath, watchdogArgs(process.pid, ['node', 'app.mjs']), { stdio: ['pipe', 'pipe', 'pipe'] });
 */
export function watchdogArgs(parentPid: number, command: readonly string[], graceMs: number = DEFAULT_GRACE_MS): string[] {
  if (command.length === 0 || !command[0]) throw new TypeError('watchdogArgs needs a command');
  // `--` so that options of the command (`curl -s`) are not taken for node's.
  return ['-e', WATCHDOG_SOURCE, '--', String(parentPid), String(graceMs), ...command];
}
