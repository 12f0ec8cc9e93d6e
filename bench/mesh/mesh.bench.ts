// The data plane end to end against nginx, one run, side by side:
//   direct:    client → app
//   meshguard: client → outbound hop → (mTLS, pooled) → inbound hop (STRICT, JWT RS256, 100 policies) → app
//   nginx:     client → nginx → (mTLS, keep-alive) → nginx (ssl_verify_client on) → app
// Each hop, the app and the load client run in their own process; CPU comes from
// /proc/<pid>/stat. Paced (~RATE req/s) runs, RUNS of each scenario in turns, then saturated
// runs the same way; medians. RSS is read after each of the two phases.
// Loopback only; every load run is bounded in time and count. Prints Markdown.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SIDECAR_NODE_FLAGS } from '../../src/platform/local/sidecar-flags.js';
import { TokenCache } from '../../src/proxy/inbound/index.js';
import { compileHops, HOP_ENTRIES } from './compiled-hops.js';
import type { LoadJob, LoadResult } from './load-client.js';
import { BENCH_PATH, BENCH_URL, clientSideConfig, serverSideConfig } from './mesh-config.js';
import { ensureNginx, NGINX_CLIENT_HOST, startNginxPair, type NginxPair } from './nginx.js';
import { makeMeshPki } from './pki.js';
import { cpuOfAll, rssOf } from './proc-stats.js';
import { goalRows, resultRows, type Measured, type RssReadings, type ScenarioName } from './report.js';

const RATE = Number(process.env.BENCH_RATE ?? 1000);
const RATE_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const SATURATION_SECONDS = Number(process.env.BENCH_SAT_SECONDS ?? 4);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CONNECTIONS = 16;
const POLICIES = 100;
const HERE = import.meta.dirname;

/**
 * Node flags of the two proxy hops: by default the ones `meshguard up` gives its sidecars, so the
 * benchmark measures what users run; `BENCH_PROXY_FLAGS` replaces them (`BENCH_PROXY_FLAGS=` for none).
 */
const PROXY_FLAGS = (process.env.BENCH_PROXY_FLAGS ?? SIDECAR_NODE_FLAGS.join(' ')).split(' ').filter(Boolean);
const PROXY_FLAGS_NOTE = process.env.BENCH_PROXY_FLAGS === undefined ? ', as `meshguard up` runs sidecars' : ', from BENCH_PROXY_FLAGS';

/** `BENCH_TSX_HOPS=1` runs the hops from TypeScript through tsx, as this benchmark did before (for comparison). */
const TSX_HOPS = process.env.BENCH_TSX_HOPS === '1';

function child(file: string): ChildProcess {
  const prof = process.env.BENCH_PROF && !file.includes('load') ? ['--cpu-prof', '--cpu-prof-dir=/tmp/mgprof', '--import', join(HERE, 'exit-on-signal.ts')] : [];
  return fork(join(HERE, file), [], { execArgv: ['--import', 'tsx', ...prof], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

/** A proxy hop: compiled JavaScript under plain node (what users run), or its TypeScript under tsx. */
function hop(compiled: string, source: string): ChildProcess {
  if (TSX_HOPS) return fork(join(HERE, source), [], { execArgv: ['--import', 'tsx', ...PROXY_FLAGS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // exit-on-signal.ts, inline: plain node cannot load the TypeScript file.
  const prof = process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/mgprof', '--import', "data:text/javascript,process.on('SIGTERM',()=>process.exit(0))"] : [];
  return fork(compiled, [], { execArgv: [...prof, ...PROXY_FLAGS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

async function ask<T>(c: ChildProcess, msg: unknown): Promise<T> {
  c.send(msg as object);
  return (await once(c, 'message'))[0] as T;
}

interface Scenario {
  name: ScenarioName;
  job: Omit<LoadJob, 'rate' | 'seconds' | 'connections'>;
  /** Pids of each hop (none for the app direct). */
  hops: (() => number[])[];
  handshakes: () => Promise<number>;
}

async function measure(s: Scenario, rate: number, seconds: number): Promise<Measured> {
  const h0 = await s.handshakes();
  const c0 = s.hops.map((h) => cpuOfAll(h()));
  const r = await ask<LoadResult>(child('load-client.ts'), { ...s.job, rate, seconds, connections: CONNECTIONS });
  const c1 = s.hops.map((h) => cpuOfAll(h()));
  const h1 = await s.handshakes();
  return { result: r, hopCpuSeconds: c1.map((c, i) => c - (c0[i] ?? 0)), handshakes: h1 - h0 };
}

function tokenCacheHitNs(token: string): number {
  const cache = new TokenCache();
  const key = `Bearer ${token}`;
  const now = Date.now();
  cache.set(key, { principal: 'bench@meshguard/u1', issuer: 'bench@meshguard', audiences: [], claims: {}, spaceDelimited: [] }, 0, undefined, now);
  const n = 1_000_000;
  for (let i = 0; i < n / 10; i++) cache.get(key, now);
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) cache.get(key, now);
  return Number(process.hrtime.bigint() - t) / n;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mg-mesh-bench-'));
  const children: ChildProcess[] = [];
  let nginx: NginxPair | undefined;
  try {
    const pki = await makeMeshPki(dir);
    const { snapshot, token } = await serverSideConfig(POLICIES);
    const app = child('app-process.ts');
    const compiled = await compileHops(dir);
    const inbound = hop(compiled.inbound, HOP_ENTRIES.inbound);
    const outbound = hop(compiled.outbound, HOP_ENTRIES.outbound);
    children.push(app, inbound, outbound);
    const { port: appPort } = (await once(app, 'message'))[0] as { port: number };
    const { port: inboundPort } = await ask<{ port: number }>(inbound, { snapshot, identity: pki.server, appPort });
    const { port: outboundPort } = await ask<{ port: number }>(outbound, { role: 'proxy', identity: pki.client, snapshot: clientSideConfig(inboundPort, pki.server.spiffeId) });
    const scenarios: Scenario[] = [
      { name: 'app direct', job: { host: '127.0.0.1', port: appPort, path: BENCH_PATH, headers: {} }, hops: [], handshakes: async () => 0 },
      {
        name: 'meshguard', job: { host: '127.0.0.1', port: outboundPort, path: BENCH_URL, headers: { authorization: `Bearer ${token}` } },
        hops: [() => [outbound.pid ?? 0], () => [inbound.pid ?? 0]],
        handshakes: async () => (await ask<{ handshakes: number }>(outbound, { role: 'cpu' })).handshakes,
      },
    ];
    const bin = ensureNginx();
    let nginxNote = '';
    if (bin) {
      try {
        nginx = await startNginxPair(bin, dir, pki, appPort);
        const n = nginx;
        scenarios.push({ name: 'nginx', job: { host: NGINX_CLIENT_HOST, port: n.clientPort, path: BENCH_PATH, headers: {} }, hops: [n.clientPids, n.serverPids], handshakes: () => n.handshakes() });
      } catch (err) {
        nginxNote = `nginx rows skipped: ${(err as Error).message}`;
      }
    } else nginxNote = 'nginx rows skipped: nginx is not installed and `apt-get install -y nginx` failed';
    const started = Date.now();
    process.stderr.write('progress: warm-up …\n');
    for (const s of scenarios) await measure(s, 0, 1);
    const paced = new Map<ScenarioName, Measured[]>();
    const saturated = new Map<ScenarioName, Measured[]>();
    const rss: RssReadings = { paced: new Map(), saturated: new Map() };
    // All paced runs first (scenarios in turns), RSS read; then the saturated ones, RSS read again.
    const rssNow = () => new Map<ScenarioName, number[]>(scenarios.map((s) => [s.name, s.hops.map((h) => Math.max(...h().map(rssOf)))]));
    for (const [label, rate, seconds, into] of [['~' + RATE + ' req/s', RATE, RATE_SECONDS, paced], ['saturation', 0, SATURATION_SECONDS, saturated]] as const) {
      for (let run = 1; run <= RUNS; run++) {
        for (const s of scenarios) {
          process.stderr.write(`progress: ${label} run ${run}/${RUNS} ${s.name} …\n`);
          into.set(s.name, [...(into.get(s.name) ?? []), await measure(s, rate, seconds)]);
        }
      }
      rss[rate === 0 ? 'saturated' : 'paced'] = rssNow();
    }
    const cacheNs = tokenCacheHitNs(token);
    console.log(`Mesh data plane vs nginx: ${RUNS} runs of ${RATE_SECONDS} s at ~${RATE} req/s and ${SATURATION_SECONDS} s at saturation, ${CONNECTIONS} keep-alive client connections, medians of the runs; mTLS both ways, meshguard inbound STRICT + JWT (RS256) + ${POLICIES} AuthorizationPolicies; ${((Date.now() - started) / 1000).toFixed(0)} s of load. Node ${process.version}, hops ${TSX_HOPS ? 'TypeScript under tsx' : 'compiled JS under plain node'}${` (proxy node flags: ${PROXY_FLAGS.join(' ') || 'none'}${PROXY_FLAGS_NOTE})`}, ${bin ? 'nginx from Debian' : 'no nginx'}.\n`);
    if (nginxNote) console.log(`${nginxNote}\n`);
    console.log(resultRows(paced, saturated, rss).join('\n'));
    console.log();
    console.log(goalRows(paced, saturated, rss, cacheNs).join('\n'));
    console.log('\nvCPU per 1,000 req/s per hop: the hop process\'s utime+stime over the run, per second, per 1,000 req/s served (nginx: master + worker). Req per CPU-second: requests served per CPU-second of both hops together. RSS: largest process of the hop, read after the paced runs and again after the saturated ones (all paced runs come first).');
  } finally {
    nginx?.stop();
    for (const c of children) c.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
