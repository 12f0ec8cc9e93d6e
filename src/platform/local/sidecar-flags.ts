/**
 * Node/V8 flags for the sidecars `meshguard up` starts, chosen with
 * `bench/mesh/flags.bench.ts` (RSS and CPU per 1k req/s of the proxy hops side by
 * side, runs taken in turns). `--v8-pool-size=1`: V8's background threads (concurrent
 * GC marking, compilation) go from Node's default four to one; each kept its own malloc
 * arena and stacks, and a sidecar at ~1000 req/s needs no more. It measured 5–9 MB
 * less RSS per hop under load, CPU per request from −4 % to +12 % across runs (the
 * machine's noise). Not chosen: a small young generation
 * (`--max-semi-space-size=1|2`: 5 MB less for 15–50 % more CPU; re-measured after the
 * fast path's per-request allocations went down: RSS after saturation 59–64 MB instead
 * of 64–75 MB per hop, for +6 % vCPU per 1k req/s at ~1000 req/s (median of 3
 * alternated bench/mesh runs; equal in flags.bench) and −11 % to +9 % requests per
 * CPU-second at saturation — still a few MB for CPU, still not chosen);
 * `--optimize-for-size` (implies a 1 MB semi-space: the same trade), `--single-threaded`
 * (as much memory saved, 10–20 % more CPU), glibc's MALLOC_ARENA_MAX=1|2 in the
 * environment (no steady RSS gain, fewer requests per second at saturation). No
 * `--max-old-space-size`: a cap low enough to matter would kill a sidecar that holds a
 * large but valid configuration.
 */
import { basename } from 'node:path';

/** What `up` passes to every sidecar's `node`. */
export const SIDECAR_NODE_FLAGS: readonly string[] = ['--v8-pool-size=1'];

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
