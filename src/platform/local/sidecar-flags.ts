/**
 * Node/V8 flags for the sidecars `meshguard up` starts, chosen with
 * `bench/mesh/flags.bench.ts` (RSS and CPU per 1k req/s of the proxy hops side by
 * side, runs taken in turns). `--v8-pool-size=1`: V8's background threads (concurrent
 * GC marking, compilation) go from Node's default four to one; each kept its own malloc
 * arena and stacks, and a sidecar at ~1000 req/s needs no more. It measured 5–9 MB
 * less RSS per hop under load, CPU per request from −4 % to +12 % across runs (the
 * machine's noise). `--max-semi-space-size=1`: a 1 MB young generation. Rejected while
 * the proxy allocated more per request (5 MB less for 15–50 % more CPU); chosen once
 * the fast path's per-request objects went away: in alternated bench/mesh runs RSS
 * after saturation 63–64 MB instead of 70–71 MB per hop (63–64 instead of 64–65 after
 * the ~1000 req/s runs), vCPU per 1k req/s 0.124–0.130 against 0.122–0.134 and
 * requests per CPU-second at saturation within the runs' noise (flags.bench had seen
 * +5–11 % CPU at saturation earlier in the session). Not chosen:
 * `--optimize-for-size` (implies the same 1 MB semi-space; measured the same), `--single-threaded`
 * (as much memory saved, 10–20 % more CPU), glibc's MALLOC_ARENA_MAX=1|2 in the
 * environment (no steady RSS gain, fewer requests per second at saturation). No
 * `--max-old-space-size`: a cap low enough to matter would kill a sidecar that holds a
 * large but valid configuration.
 */
import { basename } from 'node:path';

/** What `up` passes to every sidecar's `node`. */
export const SIDECAR_NODE_FLAGS: readonly string[] = ['--v8-pool-size=1', '--max-semi-space-size=1'];

const NODE_BINARY = /^node(js)?(\d+)?(\.exe)?$/;

/**
 * `command` with `flags` right after the Node binary; any other program is left
 * alone. Ours come first, so a flag the command already carries (from the way `up`
 * itself was started) wins: V8 takes the last value of a repeated flag.
 *
 * @example
 * withSidecarNodeFlags(['/usr/bin/node', 'dist/bin/meshguard.js', 'proxy'])
 * // ['/usr/bin/node', '--v8-pool-size=1', 'dist/bin/meshguard.js', 'proxy']
 */
export function withSidecarNodeFlags(command: readonly string[], flags: readonly string[] = SIDECAR_NODE_FLAGS, nodePath: string = process.execPath): string[] {
  const [file, ...rest] = command;
  if (!file) throw new TypeError('withSidecarNodeFlags needs a command');
  const isNode = file === nodePath || NODE_BINARY.test(basename(file));
  return isNode ? [file, ...flags, ...rest] : [...command];
}
