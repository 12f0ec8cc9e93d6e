/**
 * CA issuance over the gRPC CA API (loopback, TLS, pooled channels): Renew over
 * mTLS (the steady-state path: parse and verify the CSR, build, sign, encode,
 * record), at a fixed 500 CSRs/s for 10 s (latency p50/p99) and unbounded
 * (throughput). The control plane runs in a child process (as in production,
 * and so client and server do not share one event loop); CSRs are made up front.
 * Prints Markdown rows; asserts nothing.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { caClient, type CaClient } from '../../src/control/ca-api/client.js';
import { startControlPlane } from '../../src/control/control-plane.js';
import { x509 } from '../../src/identity/x509-provider.js';

const RATE = Number(process.env.BENCH_RATE ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const POOL = 4;
const CSRS = 512;

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

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

interface Ready { address: string; rootPem: string; tokens: string[] }

/** The child: a control plane that hands its address and local tokens to the parent, until told to stop. */
async function serve(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mg-bench-ca-'));
  const cp = await startControlPlane({ dataDir: dir, trustDomain: 'cluster.local', version: 'bench', log: pino({ level: 'silent' }) });
  const tokens = await Promise.all(Array.from({ length: POOL }, async (_, i) => (await cp.tokens.create({ namespace: 'bench', serviceAccount: `w${i}`, kind: 'local' })).token));
  process.send!({ address: cp.state.caAddress!, rootPem: readFileSync(join(dir, 'ca', 'root-cert.pem'), 'utf8'), tokens } satisfies Ready);
  process.once('message', async () => {
    const recorded = (await cp.store.listIssuedCertificates({ limit: 1e7 })).length;
    await cp.close();
    rmSync(dir, { recursive: true, force: true });
    process.send!({ recorded }, () => process.exit(0));
  });
}

async function main(): Promise<void> {
  const child = fork(new URL(import.meta.url).pathname, ['--server'], { execArgv: ['--import', 'tsx'] });
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
    const pool: CaClient[] = keys.map((identity) => caClient({ address: cp.state.caAddress!, identity: { ...identity, rootPem } }));
    let n = 0;
    const one = async () => {
      const i = n++;
      const t0 = performance.now();
      await pool[i % POOL]!.renew({ csrDer: csrs[i % CSRS]! });
      return performance.now() - t0;
    };
    for (let i = 0; i < 200; i++) await one(); // warm-up: JIT, TLS sessions, templates

    // Fixed rate: one request every 1000/RATE ms, open loop, bounded by count and time.
    const lat: number[] = [];
    const total = RATE * SECONDS;
    const start = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      inflight.push(one().then((ms) => void lat.push(ms)));
      if (performance.now() - start > SECONDS * 1000 + 5000) break;
    }
    await Promise.all(inflight);
    const fixedSecs = (performance.now() - start) / 1000;
    lat.sort((a, b) => a - b);

    // Unbounded: 64 in flight for 3 s.
    let done = 0;
    const uStart = performance.now();
    await Promise.all(Array.from({ length: 64 }, async () => {
      while (performance.now() - uStart < 3000) { await one(); done++; }
    }));
    const unbounded = done / ((performance.now() - uStart) / 1000);
    for (const c of pool) c.close();

    console.log('| scenario | rate | p50 ms | p99 ms | throughput /s |');
    console.log('|---|---|---|---|---|');
    console.log(`| gRPC Renew (mTLS, ${POOL} pooled channels), fixed rate ${SECONDS}s | ${RATE}/s | ${pct(lat, 0.5).toFixed(2)} | ${pct(lat, 0.99).toFixed(2)} | ${(lat.length / fixedSecs).toFixed(0)} |`);
    console.log(`| gRPC Renew, unbounded (64 in flight, 3 s) | - | - | - | ${unbounded.toFixed(0)} |`);
    const { recorded } = await new Promise<{ recorded: number }>((resolve) => { child.once('message', (m) => resolve(m as { recorded: number })); child.send('stop'); });
    console.log(`\nissued certificates recorded in the store: ${recorded} (issued in this run: ${lat.length + done + 200 + POOL})`);
  } finally {
    if (child.exitCode === null) setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  }
}

if (process.argv.includes('--server')) await serve();
else await main();
