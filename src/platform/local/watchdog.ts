/**
 * Children of `up` must not outlive it, even when it is SIGKILLed and cannot
 * clean up. Without `prctl(PR_SET_PDEATHSIG)` in Node, each child runs under a
 * tiny watchdog: a plain Node script (no TypeScript loader, so it starts in
 * ~40 ms) that starts the real command in its own process group and kills that
 * group when `up` goes away. It notices at once through its stdin — a pipe from
 * `up` that the kernel closes when `up` dies — and, in case something else holds
 * the pipe, by polling `up`'s pid.
 *
 * That Node watchdog costs ~43 MB of RSS per child, so where `/bin/sh` and
 * `setsid` (util-linux) exist the same contract is kept by a POSIX shell script
 * instead (~1 MB): `setsid` gives the command its process group, a subshell
 * blocked in `read` on the pipe turns its EOF into SIGTERM for the watchdog,
 * and another polls `up`'s pid. The Node script stays as the fallback.
 *
 * The watchdog ignores SIGINT (a Ctrl-C reaches the whole terminal group: `up`
 * stops children in order itself) and turns SIGTERM into SIGTERM for the group,
 * then SIGKILL after the grace period. It exits with the command's code.
 */

import { existsSync } from 'node:fs';

/** How often the watchdog checks `up`'s pid, in case its stdin stays open. */
export const PARENT_POLL_MS = 500;
/** SIGTERM → SIGKILL delay for a child's process group. */
export const DEFAULT_GRACE_MS = 3000;

// Kept in plain JavaScript (CommonJS, as `node -e` runs it) and small on purpose; tested in test/platform/local/watchdog.test.ts.
const WATCHDOG_SOURCE = `
const { spawn } = require('node:child_process');
const [parentArg, graceArg, ...command] = process.argv.slice(1);
const parent = Number(parentArg), grace = Number(graceArg);
let child;
let stopping = false;
const group = (signal) => { try { process.kill(-child.pid, signal); } catch {} };
const stop = () => {
  if (stopping) return;
  stopping = true;
  group('SIGTERM');
  setTimeout(() => { group('SIGKILL'); process.exit(137); }, grace).unref();
};
// Handlers first: a SIGTERM that came right after the spawn would otherwise kill us and orphan the command.
process.on('SIGINT', () => {});
process.on('SIGTERM', stop);
process.on('SIGHUP', stop);
child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
child.on('error', (err) => { process.stderr.write('cannot start ' + command[0] + ': ' + err.message + '\\n'); process.exit(127); });
child.on('exit', (code, signal) => {
  group('SIGKILL');
  process.exit(code ?? 128 + (require('node:os').constants.signals[signal] ?? 0));
});
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

// POSIX sh (dash-compatible). Arguments: parent pid, grace in seconds, poll in seconds, then the command.
// Asynchronous lists get stdin from /dev/null, hence the pipe kept on fd 3 for the reader.
// Subshells reset caught traps to the default, so the helpers die of the SIGTERM sent to them at the end.
const SH_WATCHDOG_SOURCE = `
parent=$1; grace=$2; poll=$3; shift 3
exec 3<&0
stopping=''; killer=''; child=''
stop() {
  [ -n "$stopping" ] && return; stopping=1
  # Not started yet: the start below sees $stopping.
  [ -z "$child" ] && return
  kill -s TERM -- -$child 2>/dev/null
  (sleep "$grace"; kill -s KILL -- -$child 2>/dev/null) </dev/null 3<&- & killer=$!
}
# Traps first: a SIGTERM that came right after the start would otherwise kill us and orphan the command.
trap '' INT
trap stop TERM HUP
setsid "$@" </dev/null 3<&- &
child=$!
[ -n "$stopping" ] && { stopping=''; stop; }
(while read -r _; do :; done; kill -s TERM $$ 2>/dev/null) <&3 3<&- & reader=$!
(while kill -0 "$parent" 2>/dev/null; do sleep "$poll"; done; kill -s TERM $$ 2>/dev/null) </dev/null 3<&- & poller=$!
while :; do
  wait $child 2>/dev/null; code=$?
  kill -0 $child 2>/dev/null || break
done
kill -s KILL -- -$child 2>/dev/null
kill -s KILL $reader $poller $killer 2>/dev/null
exit $code
`;

/** A program and its argv; `argv[0]` is the program's own first argument, not its path. */
export interface WatchdogCommand {
  file: string;
  args: string[];
}

const SH = '/bin/sh';
const SETSID = ['/usr/bin/setsid', '/bin/setsid'].find((p) => existsSync(p));

/**
 * How to run `command` under a watchdog of `parentPid`: the shell watchdog where
 * `setsid` exists, else Node (`nodePath`) with `watchdogArgs`. Spawn `file` with
 * `args`, `stdin: 'pipe'`, and keep the pipe open: its closing is the signal.
 *
 * @example
 * const w = watchdogCommand(process.pid, ['sleep', '60']);
 * spawn(w.file, w.args, { stdio: ['pipe', 'pipe', 'pipe'] });
 */
export function watchdogCommand(parentPid: number, command: readonly string[], graceMs: number = DEFAULT_GRACE_MS, nodePath: string = process.execPath): WatchdogCommand {
  if (command.length === 0 || !command[0]) throw new TypeError('watchdogCommand needs a command');
  if (!SETSID || !existsSync(SH)) return { file: nodePath, args: watchdogArgs(parentPid, command, graceMs) };
  const seconds = (ms: number) => String(Math.max(ms, 1) / 1000);
  // `mg-watchdog` becomes $0; `setsid` is found through PATH by the script, so pass its absolute path instead.
  return {
    file: SH,
    args: ['-c', SH_WATCHDOG_SOURCE.replace('setsid "$@"', `${SETSID} "$@"`), 'mg-watchdog', String(parentPid), seconds(graceMs), seconds(PARENT_POLL_MS), ...command],
  };
}
