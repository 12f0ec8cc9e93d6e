// Certificates issued per second by the CA's hot path (parse + verify the CSR, patch the
// template, sign, encode, validate), next to `openssl speed ecdsap256` in the same run.
// Run with bench/identity/run.sh; prints a Markdown table. Numbers, no assertions.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { x509 } from '../../src/identity/x509-provider.js';
import { createRootCa } from '../../src/identity/ca/create-root.js';
import { describeAuthority, type CertificateAuthority } from '../../src/identity/ca/authority.js';
import { asDerCertificate } from '../../src/identity/ca/certificate.js';
import { generateCaPrivateKey, memoryKeyStore } from '../../src/identity/ca/key-store.js';
import { createSvidIssuer } from '../../src/identity/ca/issue.js';
import { parseTrustDomain, workloadId } from '../../src/identity/spiffe-id.js';

const TD = parseTrustDomain('cluster.local');
const ID = workloadId(TD, 'default', 'web');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CSR_COUNT = 64;

interface Shared { caKeyPem: string; caCertDer: Uint8Array; csrs: Uint8Array[] }

async function makeCsrs(n: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: 'CN=bench', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: i % 2 ? [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: ID }])] : [],
    });
    out.push(new Uint8Array(csr.rawData));
  }
  return out;
}

function caFrom(shared: Shared): CertificateAuthority {
  const cert = asDerCertificate(shared.caCertDer);
  return describeAuthority({ trustDomain: TD, keyStore: memoryKeyStore(createPrivateKey(shared.caKeyPem)), certificate: cert, intermediates: [], roots: [cert] });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

/** Closed loop for `seconds`: issue back to back; returns rate and latency percentiles (ms). */
async function closedLoop(shared: Shared, seconds: number, verifySignatures: boolean) {
  const issuer = await createSvidIssuer({ ca: caFrom(shared), now: () => new Date(), verifySignatures });
  const lat: number[] = [];
  const end = performance.now() + seconds * 1000;
  let i = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() < end && lat.length < 1_000_000) {
    const t = performance.now();
    await issuer.issue({ csrDer: shared.csrs[i++ % shared.csrs.length]!, spiffeId: ID });
    lat.push(performance.now() - t);
  }
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  // Per CPU-second as well as per wall second: openssl speed divides by CPU time by default,
  // and on a shared machine the wall-clock rate mostly measures the neighbours.
  return { rate: lat.length / elapsed, cpuRate: lat.length / ((cpu.user + cpu.system) / 1e6), p50: percentile(lat, 0.5), p99: percentile(lat, 0.99) };
}

/** Open loop: requests arrive at `perSecond` for `seconds`; latency counts from the arrival time (or the send, if earlier). */
async function openLoop(shared: Shared, seconds: number, perSecond: number) {
  const issuer = await createSvidIssuer({ ca: caFrom(shared), now: () => new Date() });
  const total = Math.floor(seconds * perSecond);
  const start = performance.now();
  const lat: number[] = [];
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    // A request sent up to 1 ms early (the timer's granularity) is timed from when it was sent, not
    // from its due time, which would make latency negative; a late one counts its wait from `due`.
    const from = Math.min(due, performance.now());
    pending.push(issuer.issue({ csrDer: shared.csrs[i % shared.csrs.length]!, spiffeId: ID }).then(() => { lat.push(performance.now() - from); }));
  }
  await Promise.all(pending);
  lat.sort((a, b) => a - b);
  return { p50: percentile(lat, 0.5), p99: percentile(lat, 0.99) };
}

/** The generic path for comparison: @peculiar/x509 parses, verifies and builds each certificate. */
async function genericPath(shared: Shared, seconds: number): Promise<number> {
  const caKey = await webcrypto.subtle.importKey('pkcs8', createPrivateKey(shared.caKeyPem).export({ format: 'der', type: 'pkcs8' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const caCert = new x509.X509Certificate(Buffer.from(shared.caCertDer));
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  let n = 0;
  while (performance.now() < end) {
    const csr = new x509.Pkcs10CertificateRequest(Buffer.from(shared.csrs[n % shared.csrs.length]!));
    if (!(await csr.verify())) throw new Error('bad csr');
    await x509.X509CertificateGenerator.create({
      serialNumber: '0102030405060708', subject: '', issuer: caCert.subjectName, notBefore: new Date(), notAfter: new Date(Date.now() + 864e5),
      publicKey: csr.publicKey, signingKey: caKey, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [new x509.BasicConstraintsExtension(false, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.SubjectAlternativeNameExtension([{ type: 'url', value: ID }], true)],
    });
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

function opensslSpeed(elapsed: boolean): { sign: number; verify: number } {
  const out = execFileSync('openssl', ['speed', ...(elapsed ? ['-elapsed'] : []), '-seconds', String(SECONDS), 'ecdsap256'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
  const m = /256 bits ecdsa \(nistp256\)\s+\S+s\s+\S+s\s+([\d.]+)\s+([\d.]+)/.exec(out);
  if (!m) throw new Error(`cannot parse openssl speed output:\n${out}`);
  return { sign: Number(m[1]), verify: Number(m[2]) };
}

function inWorkers(shared: Shared, count: number, seconds: number): Promise<number[]> {
  return Promise.all(Array.from({ length: count }, () => new Promise<number>((resolve, reject) => {
    // Node 20 does not pass `--import tsx` hooks to workers: register tsx inside the worker first.
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const w = new Worker(boot, { eval: true, workerData: { shared, seconds } });
    w.once('message', (m: { rate: number }) => resolve(m.rate));
    w.once('error', reject);
  })));
}

async function main(): Promise<void> {
  const caKey = generateCaPrivateKey('ec-p256');
  const ca = await createRootCa({ trustDomain: TD, keyStore: memoryKeyStore(caKey), now: () => new Date() });
  const shared: Shared = { caKeyPem: caKey.export({ format: 'pem', type: 'pkcs8' }) as string, caCertDer: new Uint8Array(ca.certificate), csrs: await makeCsrs(CSR_COUNT) };
  const speed = opensslSpeed(false);
  const wall = opensslSpeed(true);
  const bound = 1 / (1 / speed.sign + 1 / speed.verify);
  const wallBound = 1 / (1 / wall.sign + 1 / wall.verify);
  await closedLoop(shared, 0.5, false); // warm-up
  const one = await closedLoop(shared, SECONDS, false);
  const oneCheck = await closedLoop(shared, SECONDS, true);
  const [oneWorker] = await inWorkers(shared, 1, SECONDS);
  const two = await inWorkers(shared, 2, SECONDS);
  const twoRate = two.reduce((a, b) => a + b, 0);
  const open = await openLoop(shared, SECONDS, 500);
  const generic = await genericPath(shared, Math.min(SECONDS, 2));
  const f = (n: number) => n.toFixed(0);
  const ms = (n: number) => n.toFixed(3);
  console.log(`\n### CA issuance (P-256 CA, P-256 leaf keys), ${new Date().toISOString()}, node ${process.version}, ${SECONDS}s per row\n`);
  const x = (n: number, b: number) => `${(n / b).toFixed(2)}×`;
  console.log('| measure | per CPU-second | per wall second | vs bound (CPU / wall) |');
  console.log('|---|---|---|---|');
  console.log(`| openssl speed ecdsap256 sign/s | ${f(speed.sign)} | ${f(wall.sign)} (-elapsed) | |`);
  console.log(`| openssl speed ecdsap256 verify/s | ${f(speed.verify)} | ${f(wall.verify)} (-elapsed) | |`);
  console.log(`| one-core bound 1/(1/sign+1/verify) | ${f(bound)} | ${f(wallBound)} | 1.00× |`);
  console.log(`| issued/s, 1 core (default: parse+verify CSR, patch, sign, encode, validate) | ${f(one.cpuRate)} | ${f(one.rate)} | ${x(one.cpuRate, bound)} / ${x(one.rate, wallBound)} |`);
  console.log(`| issued/s, 1 core, validator also re-verifies the signature | ${f(oneCheck.cpuRate)} | ${f(oneCheck.rate)} | ${x(oneCheck.cpuRate, bound)} / ${x(oneCheck.rate, wallBound)} |`);
  console.log(`| issued/s, 1 worker thread (same loop, off the main thread) | | ${f(oneWorker!)} | — / ${x(oneWorker!, wallBound)} |`);
  console.log(`| issued/s, 2 worker threads (${two.map(f).join(' + ')}) | | ${f(twoRate)} | — / ${x(twoRate, wallBound)} |`);
  console.log(`| p50 / p99 per issuance, 1 core closed loop (ms) | | ${ms(one.p50)} / ${ms(one.p99)} | |`);
  console.log(`| p50 / p99 at 500 CSRs/s open loop, 1 core (ms) | | ${ms(open.p50)} / ${ms(open.p99)} | |`);
  console.log(`| issued/s, generic @peculiar/x509 path (comparison) | | ${f(generic)} | — / ${x(generic, wallBound)} |`);
}

if (isMainThread) {
  await main();
} else {
  const { shared, seconds } = workerData as { shared: Shared; seconds: number };
  await closedLoop(shared, 0.3, false);
  const r = await closedLoop(shared, seconds, false);
  parentPort!.postMessage({ rate: r.rate });
}
