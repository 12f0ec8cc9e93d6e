/**
 * CA issuance over the gRPC CA API (loopback, TLS, pooled channels): Renew over
 * mTLS (the steady-state path: parse and verify the CSR, build, sign, encode,
 * record), at a fixed 500 CSRs/s for 10 s (latency p50/p99) and unbounded
 * (throughput). The control plane runs in a child process (as in production,
 * and so client and server do not share one event loop); CSRs are made up front.
 * Prints Markdown rows, then the fixed-rate phase's event-loop delay and CPU of the
 * server and of the client (the client shares the 2 cores; its cost is part of the
 * picture). Asserts nothing.
 *
 * The load client is a minimal gRPC client on node:http2 (h2-grpc-client.ts), one
 * session per pooled channel; BENCH_CLIENT=grpc-js uses the production `caClient`.
 * The fixed-rate schedule then runs again from gRPC's C core (grpc-core-client.py):
 * a client without a garbage collector, so that its p99 is the CA's and not the
 * Node client's scavenges on the same 2 cores.
 * BENCH_TRACE=1 prints where each call's time went (trace-report.ts).
 * BENCH_CHILD_ARGS="--trace-gc-nvp" traces the server's GC with the phase's bounds
 * printed on the same clock; BENCH_PROFILE=<dir> writes its CPU profile there.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import { caClient, type CaClient } from '../../src/control/ca-api/client.js';
import { CA_SERVICE_NAME } from '../../src/control/ca-api/protocol.js';
import { traceClock as clock } from '../../src/control/ca-service/call-trace.js';
import { startControlPlane } from '../../src/control/control-plane.js';
import { x509 } from '../../src/identity/x509-provider.js';
import { h2CaClient } from './h2-grpc-client.js';
import { serverTraceCollector, traceTable, type ClientStamp } from './trace-report.js';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const POOL = 4;
const CSRS = 512;
// BENCH_PROFILE=<dir>: the control-plane child writes a V8 CPU profile there (`--cpu-prof`).
const PROFILE_DIR = process.env.BENCH_PROFILE;
// BENCH_TRACE=1: per-call segments of the fixed-rate phase (client and server stamps, one clock).
const TRACE = process.env.BENCH_TRACE === '1';
// BENCH_CLIENT=grpc-js: load with the production client (caClient) instead of the minimal node:http2 one.
const CLIENT = process.env.BENCH_CLIENT === 'grpc-js' ? 'grpc-js' : 'h2';

async function makeCsrs(n: number): Promise<string[]> {
  const out: string[] = [];
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await crypto.subtle.generateKey(alg, false, ['sign', 'verify']);
  for (let i = 0; i < n; i++) {
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=bench', keys, signingAlgorithm: alg });
    out.push(Buffer.from(csr.rawData).toString('base64'));
  }
  return out;
}

// BENCH_CHILD_ARGS: more Node flags for the control-plane child, e.g. "--trace-gc-nvp".
const extraArgs = () => (process.env.BENCH_CHILD_ARGS ?? '').split(' ').filter(Boolean);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

interface Ready { address: string; rootPem: string; tokens: string[] }

/** The child: a control plane that hands its address and local tokens to the parent, until told to stop. */
async function serve(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mg-bench-ca-'));
  const cp = await startControlPlane({ dataDir: dir, trustDomain: 'cluster.local', version: 'bench', log: pino({ level: 'silent' }) });
  const tokens = await Promise.all(Array.from({ length: POOL }, async (_, i) => (await cp.tokens.create({ namespace: 'bench', serviceAccount: `w${i}`, kind: 'local' })).token));
  process.send!({ address: cp.state.caAddress!, rootPem: readFileSync(join(dir, 'ca', 'root-cert.pem'), 'utf8'), tokens } satisfies Ready);
  // Event-loop delay and CPU of the server per measured phase ('mark' starts the fixed-rate one, 'phase' ends it).
  const meter = phaseMeter();
  const traces = TRACE ? serverTraceCollector() : undefined;
  process.on('message', (m) => {
    if (m === 'mark') { meter.start(); traces?.start(); }
    if (m === 'phase') process.send!({ fixed: meter.stop(), traces: traces?.stop() ?? [] });
    // With --trace-gc in BENCH_CHILD_ARGS: the phase's bounds on the same clock as the GC lines.
    if (extraArgs().some((a) => a.startsWith('--trace-gc'))) console.log(`[bench] ${m} at ${performance.now().toFixed(0)} ms`);
  });
  process.once('message', async function stop(m) {
    if (m !== 'stop') { process.once('message', stop); return; }
    const recorded = (await cp.store.listIssuedCertificates({ limit: 1e7 })).length;
    await cp.close();
    rmSync(dir, { recursive: true, force: true });
    process.send!({ recorded }, () => process.exit(0));
  });
}

interface PhaseStats { p50: number; p99: number; max: number; cpuMs: number }

/** Event-loop delay (1 ms resolution) and CPU time of this process between start() and stop(). */
function phaseMeter(): { start(): void; stop(): PhaseStats } {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  let cpu0 = process.cpuUsage();
  return {
    start() { loop.reset(); loop.enable(); cpu0 = process.cpuUsage(); },
    stop() {
      loop.disable();
      const cpu = process.cpuUsage(cpu0);
      return { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6, cpuMs: (cpu.user + cpu.system) / 1e3 };
    },
  };
}

async function main(): Promise<void> {
  const execArgv = ['--import', 'tsx', ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []), ...extraArgs()];
  const child = fork(new URL(import.meta.url).pathname, ['--server'], { execArgv });
  const ready = await new Promise<Ready>((resolve) => child.once('message', (m) => resolve(m as Ready)));
  const cp = { state: { caAddress: ready.address } };
  try {
    const csrs = await makeCsrs(CSRS);
    const rootPem = ready.rootPem;
    const keys = await Promise.all(Array.from({ length: POOL }, async (_, i) => {
      const token = ready.tokens[i]!;
      const kp = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
      const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=w', keys: kp, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } });
      const first = caClient({ address: cp.state.caAddress!, rootPem });
      const svid = await first.sign({ csrDer: Buffer.from(csr.rawData).toString('base64'), attestation: { type: 'local', token } });
      first.close();
      const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', kp.privateKey)).toString('base64');
      return { chainPem: svid.chainPem, keyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8}\n-----END PRIVATE KEY-----\n` };
    }));
    const pool: Pick<CaClient, 'renew' | 'close'>[] = keys.map((identity) => CLIENT === 'h2'
      ? h2CaClient({ address: cp.state.caAddress!, identity: { ...identity, rootPem } })
      : caClient({ address: cp.state.caAddress!, identity: { ...identity, rootPem } }));
    let n = 0;
    let failed = 0;
    let stamps: ClientStamp[] | undefined;
    const one = async () => {
      const i = n++;
      const t0 = performance.now();
      const send = stamps ? clock() : 0;
      // A refused or timed-out call is counted and costs its full wait, not the run.
      const res = await pool[i % POOL]!.renew({ csrDer: csrs[i % CSRS]! }).catch(() => void failed++);
      if (stamps && typeof res === 'object') stamps.push({ serial: res.serial, send, recv: clock() });
      return performance.now() - t0;
    };
    for (let i = 0; i < 200; i++) await one(); // warm-up: JIT, TLS sessions, templates
    child.send('mark');
    if (TRACE) stamps = [];
    const clientMeter = phaseMeter();
    clientMeter.start();

    // Fixed rate: one request every 1000/RATE ms, open loop, bounded by count and time. The loop keeps
    // nothing per call alive (latencies in a preallocated array, a count instead of a list of promises), so
    // what the client's GC copies is the client's own. It still pauses 3–10 ms about once a second, which
    // delays the calls in flight and shows in the p99 (see BENCHMARKS.md, CA row).
    const total = RATE * SECONDS;
    const latencies = new Float64Array(total);
    let answered = 0;
    let sent = 0;
    let sendingDone = false;
    let settle: () => void = () => {};
    const allDone = new Promise<void>((resolve) => (settle = resolve));
    const record = (ms: number) => {
      latencies[answered++] = ms;
      if (answered === sent && sendingDone) settle();
    };
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      sent++;
      void one().then(record);
      if (performance.now() - start > SECONDS * 1000 + 5000) break;
    }
    sendingDone = true;
    if (answered === sent) settle();
    await allDone;
    const lat = Array.from(latencies.subarray(0, answered));
    const fixedSecs = (performance.now() - start) / 1000;
    const clientFixed = clientMeter.stop();
    const clientStamps = stamps ?? [];
    stamps = undefined;
    const { fixed: serverFixed, traces } = await new Promise<{ fixed: PhaseStats; traces: Parameters<typeof traceTable>[1] }>((resolve) => {
      child.once('message', (m) => resolve(m as { fixed: PhaseStats; traces: Parameters<typeof traceTable>[1] }));
      child.send('phase');
    });
    lat.sort((a, b) => a - b);

    // The same schedule from gRPC's C core (no collector in the client), when Debian's python3-grpcio is here.
    const core = await coreClientPhase(child, { address: ready.address, rootPem, identities: keys, csrs });

    // Unbounded: 64 in flight for 3 s.
    let done = 0;
    const uStart = performance.now();
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (performance.now() - uStart < 3000) { await one(); done++; }
    }));
    const unbounded = done / ((performance.now() - uStart) / 1000);
    for (const c of pool) c.close();

    console.log(`load client: ${CLIENT === 'h2' ? 'minimal gRPC client on node:http2 (bench/ca-service/h2-grpc-client.ts)' : 'caClient (grpc-js)'}\n`);
    console.log('| scenario | rate | p50 ms | p99 ms | throughput /s |');
    console.log('|---|---|---|---|---|');
    console.log(`| gRPC Renew (mTLS, ${POOL} pooled channels), fixed rate ${SECONDS}s | ${RATE}/s | ${pct(lat, 0.5).toFixed(2)} | ${pct(lat, 0.99).toFixed(2)} | ${(lat.length / fixedSecs).toFixed(0)} |`);
    console.log(`| gRPC Renew, unbounded (64 in flight, 3 s) | - | - | - | ${unbounded.toFixed(0)} |`);
    const { recorded } = await new Promise<{ recorded: number }>((resolve) => { child.once('message', (m) => resolve(m as { recorded: number })); child.send('stop'); });
    if (core) {
      console.log(`| gRPC Renew from gRPC's C core (python3-grpcio, ${POOL} pooled channels), fixed rate ${SECONDS}s | ${RATE}/s | ${core.p50.toFixed(2)} | ${core.p99.toFixed(2)} | ${(core.count / core.seconds).toFixed(0)} |`);
    } else {
      console.log('| gRPC Renew from gRPC\'s C core | (not run: /usr/bin/python3 with python3-grpcio not found; bench/ca-service/run.sh installs it) | | | |');
    }
    if (failed > 0 || (core?.failed ?? 0) > 0) console.log(`\nfailed calls (deadline or refusal): ${failed} Node, ${core?.failed ?? 0} C core`);
    console.log(`\nissued certificates recorded in the store: ${recorded} (issued in this run: ${lat.length + done + 200 + POOL + (core ? core.count + 200 : 0)})`);
    const f = (x: number) => x.toFixed(1);
    const loop = (s: PhaseStats) => `p50 ${f(s.p50)} ms, p99 ${f(s.p99)} ms, max ${f(s.max)} ms`;
    console.log(`fixed-rate phase: server event-loop delay ${loop(serverFixed)}; client event-loop delay ${loop(clientFixed)}`);
    if (core) console.log(`C-core phase: server event-loop delay ${loop(core.server)}; CPU server ${f(core.server.cpuMs / 1000)} s, client ${f(core.cpuSeconds)} s`);
    if (TRACE) console.log(`\n${traceTable(clientStamps, traces)}\n`);
    console.log(`fixed-rate phase CPU: server ${f(serverFixed.cpuMs / 1000)} s, client ${f(clientFixed.cpuMs / 1000)} s over ${f(fixedSecs)} s; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  } finally {
    if (child.exitCode === null) setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  }
}

interface CorePhase { count: number; failed: number; seconds: number; p50: number; p99: number; max: number; cpuSeconds: number; server: PhaseStats }

/**
 * Runs grpc-core-client.py on the fixed-rate schedule against the child's CA, with the server's
 * meters around it. Undefined when /usr/bin/python3 cannot import grpc (the row then says so).
 */
async function coreClientPhase(child: ChildProcess, input: { address: string; rootPem: string; identities: { chainPem: string; keyPem: string }[]; csrs: string[] }): Promise<CorePhase | undefined> {
  if (spawnSync(PYTHON, ['-c', 'import grpc']).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'mg-bench-core-'));
  try {
    const file = join(dir, 'input.json');
    writeFileSync(file, JSON.stringify({ ...input, path: `/${CA_SERVICE_NAME}/Renew`, rate: RATE, seconds: SECONDS, warmup: 200 }), { mode: 0o600 });
    const script = new URL('./grpc-core-client.py', import.meta.url).pathname;
    const run = spawn(PYTHON, [script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    // The script says `warm` once its warm-up calls are done: the server's meters start then.
    let out = '';
    run.stdout.on('data', (c: Buffer) => {
      const before = out;
      out += c.toString();
      if (!before.includes('warm\n') && out.includes('warm\n')) child.send('mark');
    });
    const code = await new Promise<number | null>((resolve) => run.once('exit', resolve));
    const server = await new Promise<PhaseStats>((resolve) => {
      child.once('message', (m) => resolve((m as { fixed: PhaseStats }).fixed));
      child.send('phase');
    });
    if (code !== 0) throw new Error(`grpc-core-client.py exited ${code}`);
    return { ...(JSON.parse(out.slice(out.indexOf('warm\n') + 5)) as Omit<CorePhase, 'server'>), server };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PYTHON = '/usr/bin/python3';

if (process.argv.includes('--server')) await serve();
else await main();
