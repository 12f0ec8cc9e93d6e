// V8 flags for the proxy hops, side by side: one pair of hops (outbound → mTLS →
// inbound, the mesh benchmark's) per set of flags, all started at once, then paced
// runs taken in turns (A B C A B C …) so that load from other processes on the
// machine falls on every set alike. Reports vCPU per 1k req/s per hop and RSS per
// hop: a flag that saves memory must not cost CPU (`sidecarNodeFlags` in
// src/platform/local/ is chosen from this table). After the paced runs, as many runs
// at saturation (in turns too), with their CPU per request, then RSS again: the issue's
// budget is RSS after the whole mesh run, when V8's young generation has grown under
// load. A set may also name environment variables for the hops' processes (`NAME=value`,
// e.g. glibc's MALLOC_ARENA_MAX=2). Loopback only; bounded in time.
//   BENCH_FLAG_SETS='|--max-semi-space-size=1|MALLOC_ARENA_MAX=2 --v8-pool-size=1'  (sets split on '|', items on ' ')
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIDECAR_NODE_FLAGS } from '../../src/platform/local/sidecar-flags.js';
import { compileHops } from './compiled-hops.js';
import type { LoadResult } from './load-client.js';
import { BENCH_URL, clientSideConfig, serverSideConfig } from './mesh-config.js';
import { makeMeshPki } from './pki.js';
import { cpuSecondsOf, rssOf } from './proc-stats.js';
import { median } from './report.js';

const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_RUNS ?? 3);
const CONNECTIONS = 16;
const POLICIES = 100;
const HERE = import.meta.dirname;
const SATURATION_SECONDS = Number(process.env.BENCH_SAT_SECONDS ?? 4);
const DEFAULT_SET = SIDECAR_NODE_FLAGS.join(' ');
const FLAG_SETS = (process.env.BENCH_FLAG_SETS ?? ['', DEFAULT_SET, '--max-semi-space-size=1', '--max-semi-space-size=2', '--single-threaded'].join('|'))
  .split('|').map((s) => s.split(' ').filter(Boolean)).filter((s, i, all) => all.findIndex((o) => o.join(' ') === s.join(' ')) === i);
const ENV_ITEM = /^[A-Z_][A-Z0-9_]*=/;

interface Pair {
  flags: string[];
  outbound: ChildProcess;
  inbound: ChildProcess;
  port: number;
  runs: Run[];
  saturatedRuns: Run[];
  /** RSS of both hops after the paced runs, then after the saturation runs (bytes). */
  rss: { paced: [number, number]; saturated: [number, number] };
}

interface Run { rps: number; p50: number; p99: number; cpu: [number, number] }

const rssOfPair = (p: Pair): [number, number] => [rssOf(p.outbound.pid ?? 0), rssOf(p.inbound.pid ?? 0)];

async function ask<T>(c: ChildProcess, msg: unknown): Promise<T> {
  c.send(msg as object);
  return (await once(c, 'message'))[0] as T;
}

async function load(port: number, token: string, rate: number, seconds: number): Promise<LoadResult> {
  const client = fork(join(HERE, 'load-client.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    return await ask<LoadResult>(client, { host: '127.0.0.1', port, path: BENCH_URL, headers: { authorization: `Bearer ${token}` }, rate, seconds, connections: CONNECTIONS });
  } finally {
    client.kill();
  }
}

/** One load run against `pair` (rate 0: as fast as it goes), with the CPU each hop spent per 1k req/s. */
async function run(pair: Pair, token: string, rate: number, seconds: number): Promise<Run> {
  const pids = [pair.outbound.pid ?? 0, pair.inbound.pid ?? 0];
  const c0 = pids.map(cpuSecondsOf);
  const r = await load(pair.port, token, rate, seconds);
  const c1 = pids.map(cpuSecondsOf);
  const rps = r.requests / r.seconds;
  const per1k = (i: number) => ((c1[i] ?? 0) - (c0[i] ?? 0)) / r.seconds / (rps / 1000);
  return { rps, p50: r.p50, p99: r.p99, cpu: [per1k(0), per1k(1)] };
}

/** ROUNDS runs of every pair, in turns, the order rotated each round so no set always runs first (or right after another's GC). */
async function inTurns(pairs: Pair[], what: string, each: (p: Pair) => Promise<void>): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[(i + round) % pairs.length] as Pair;
      process.stderr.write(`progress: ${what} round ${round + 1}/${ROUNDS} ${pair.flags.join(' ') || '(no flags)'} …\n`);
      await each(pair);
    }
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mg-flags-bench-'));
  const children: ChildProcess[] = [];
  try {
    const pki = await makeMeshPki(dir);
    const { snapshot, token } = await serverSideConfig(POLICIES);
    const compiled = await compileHops(dir);
    const app = fork(join(HERE, 'app-process.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(app);
    const { port: appPort } = (await once(app, 'message'))[0] as { port: number };
    const pairs: Pair[] = [];
    for (const flags of FLAG_SETS) {
      const env = { ...process.env, ...Object.fromEntries(flags.filter((f) => ENV_ITEM.test(f)).map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)])) };
      const execArgv = flags.filter((f) => !ENV_ITEM.test(f));
      const hop = (file: string) => fork(file, [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const [inbound, outbound] = [hop(compiled.inbound), hop(compiled.outbound)];
      children.push(inbound, outbound);
      const { port: inboundPort } = await ask<{ port: number }>(inbound, { snapshot, identity: pki.server, appPort });
      const { port } = await ask<{ port: number }>(outbound, { role: 'proxy', identity: pki.client, snapshot: clientSideConfig(inboundPort, pki.server.spiffeId) });
      pairs.push({ flags, inbound, outbound, port, runs: [], saturatedRuns: [], rss: { paced: [0, 0], saturated: [0, 0] } });
    }
    const started = Date.now();
    for (const p of pairs) await load(p.port, token, 0, 1);
    await inTurns(pairs, 'paced', async (p) => void p.runs.push(await run(p, token, RATE, SECONDS)));
    for (const p of pairs) p.rss.paced = rssOfPair(p);
    await inTurns(pairs, 'saturation', async (p) => void p.saturatedRuns.push(await run(p, token, 0, SATURATION_SECONDS)));
    for (const p of pairs) p.rss.saturated = rssOfPair(p);
    console.log(`Proxy hops under node flags (and env), taken in turns: ${ROUNDS} runs of ${SECONDS} s at ~${RATE} req/s per set, then as many of ${SATURATION_SECONDS} s at saturation; ${CONNECTIONS} keep-alive connections, medians; mTLS, inbound STRICT + JWT + ${POLICIES} policies, compiled hops under plain node ${process.version}; ${((Date.now() - started) / 1000).toFixed(0)} s. \`meshguard up\` runs sidecars with: ${DEFAULT_SET || '(none)'}.\n`);
    console.log('| node flags (and env) of both hops | req/s | p50 ms | p99 ms | vCPU per 1k req/s: client hop / server hop | RSS MB after the paced runs: client / server | saturation req/s | saturation vCPU per 1k req/s: client / server | RSS MB after saturation: client / server |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    const mb = (r: [number, number]) => r.map((b) => (b / 2 ** 20).toFixed(1)).join(' / ');
    for (const p of pairs) {
      const m = (f: (r: Run) => number, runs = p.runs) => median(runs.map(f));
      const sat = p.saturatedRuns;
      console.log(`| ${p.flags.join(' ') || '(none)'} | ${m((r) => r.rps).toFixed(0)} | ${m((r) => r.p50).toFixed(3)} | ${m((r) => r.p99).toFixed(2)} | ${m((r) => r.cpu[0]).toFixed(3)} / ${m((r) => r.cpu[1]).toFixed(3)} | ${mb(p.rss.paced)} | ${m((r) => r.rps, sat).toFixed(0)} | ${m((r) => r.cpu[0], sat).toFixed(3)} / ${m((r) => r.cpu[1], sat).toFixed(3)} | ${mb(p.rss.saturated)} |`);
    }
  } finally {
    for (const c of children) c.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
