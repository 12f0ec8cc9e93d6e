/**
 * Per handshake: a sidecar dialing another over mTLS the way the outbound side does
 * (leaf-only client chain, the server's chain verified in JS by identity/verify-chain.ts,
 * then secure naming) beside the same handshake with OpenSSL verifying against a context
 * that holds the roots (what the proxy did before; it also appends the root to the chain
 * it sends). Sequential handshakes to a TLS server in a child process, taken in turns,
 * bounded in count and time; plus `verifyChain` alone beside the one signature check
 * it contains. Loopback only. Reports numbers, asserts nothing.
 */
import { fork } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { certificatesFromPem } from '../../src/identity/pem.js';
import { trustAnchorsOf, verifyChain } from '../../src/identity/verify-chain.js';
import type { ProxyIdentity } from '../../src/proxy/model.js';
import { createTlsContextManager } from '../../src/proxy/tls/context-manager.js';
import { peerIdentityOf } from '../../src/proxy/tls/peer-identity.js';
import { mintSvid, testCa } from '../../test/proxy/support/mint.js';

const ROUNDS = 3;
const PER_ROUND = Number(process.env.BENCH_HANDSHAKES ?? 400);
const ROUND_BUDGET_MS = 4000;
const SERVER_ID = 'spiffe://cluster.local/ns/istioinaction/sa/catalog';

if (process.argv[2] === '--server') {
  // The child: a TLS server on the proxy's own server options (verified client certificates required).
  const id = JSON.parse(process.argv[3]!) as ProxyIdentity;
  const manager = createTlsContextManager({ current: () => id, onChange: () => () => undefined });
  const server = tls.createServer(manager.serverOptions(), (s) => {
    s.on('error', () => s.destroy());
    s.end();
  });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as { port: number }).port }));
  process.on('disconnect', () => process.exit(0));
} else {
  await main();
}

type Dial = (port: number) => Promise<void>;

async function main(): Promise<void> {
  const ca = await testCa();
  const serverId = await mintSvid(ca, 'istioinaction', 'catalog');
  const clientId = await mintSvid(ca, 'istioinaction', 'webapp');
  const child = fork(new URL(import.meta.url).pathname, ['--server', JSON.stringify(serverId)], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve((m as { port: number }).port)));
  try {
    const manager = createTlsContextManager({ current: () => clientId, onChange: () => () => undefined });
    const ours: Dial = (p) => new Promise((resolve, reject) => {
      const s = manager.dial({ host: '127.0.0.1', port: p }, (peer) => (peer.spiffeId === SERVER_ID ? undefined : new Error('secure naming')), (err) => {
        s.destroy();
        if (err) reject(err);
        else resolve();
      });
      s.once('error', reject);
    });
    // Before: OpenSSL verifies against the roots in the context; the SPIFFE check reads the legacy certificate.
    const withRoots = tls.createSecureContext({ key: clientId.keyPem, cert: clientId.certChainPem, ca: clientId.bundlePem });
    const domains = new Set(['cluster.local']);
    const openssl: Dial = (p) => new Promise((resolve, reject) => {
      const s = tls.connect({
        host: '127.0.0.1', port: p, secureContext: withRoots, rejectUnauthorized: true,
        checkServerIdentity: (_h, cert) => {
          const id = peerIdentityOf(new X509Certificate(cert.raw), domains);
          return id.ok && id.spiffeId === SERVER_ID ? undefined : new Error('secure naming');
        },
      }, () => {
        s.destroy();
        resolve();
      });
      s.once('error', reject);
    });
    const variants: Array<[string, Dial]> = [['meshguard dial (leaf only, chain verified in JS)', ours], ['tls.connect, OpenSSL verifies, root in context (reference)', openssl]];
    const samples = new Map<string, number[]>(variants.map(([name]) => [name, []]));
    const cpu = new Map<string, number>(variants.map(([name]) => [name, 0]));
    for (const [, dial] of variants) for (let i = 0; i < 30; i++) await dial(port); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, dial] of variants) {
        const start = performance.now();
        const c0 = process.cpuUsage();
        for (let i = 0; i < PER_ROUND && performance.now() - start < ROUND_BUDGET_MS; i++) {
          const t0 = performance.now();
          await dial(port);
          samples.get(name)!.push(performance.now() - t0);
        }
        const c = process.cpuUsage(c0);
        cpu.set(name, cpu.get(name)! + (c.user + c.system) / 1000);
      }
    }
    console.log(`Sequential mTLS handshakes to a TLS server on the proxy's server options (another process), ${ROUNDS} rounds of up to ${PER_ROUND} per variant in turns; client CPU is this process's.`);
    console.log();
    console.log('| client | handshakes | p50 ms | p99 ms | client CPU per handshake µs |');
    console.log('|---|---|---|---|---|');
    for (const [name] of variants) {
      const s = samples.get(name)!.sort((a, b) => a - b);
      const pct = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
      console.log(`| ${name} | ${s.length} | ${pct(0.5).toFixed(3)} | ${pct(0.99).toFixed(3)} | ${((cpu.get(name)! * 1000) / s.length).toFixed(0)} |`);
    }
    console.log();
    verifyRows(serverId);
    manager.close();
  } finally {
    child.disconnect();
    child.kill();
  }
}

/** verifyChain alone, per call, beside the one ECDSA signature check it makes. */
function verifyRows(server: ProxyIdentity): void {
  const leaf = new X509Certificate(server.certChainPem);
  const anchors = trustAnchorsOf(certificatesFromPem(server.bundlePem));
  const rootKey = anchors.roots[0]!.cert.publicKey;
  const now = new Date();
  const time = (fn: () => unknown): { us: number; n: number } => {
    for (let i = 0; i < 200; i++) fn();
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < 1000 && n < 100_000) {
      fn();
      n++;
    }
    return { us: ((performance.now() - start) * 1000) / n, n };
  };
  const chain = time(() => verifyChain(leaf, [], anchors, { purpose: 'server', now }));
  const sig = time(() => leaf.verify(rootKey));
  console.log('| check | µs per call | calls |');
  console.log('|---|---|---|');
  console.log(`| verifyChain (leaf under a root: DER read, validity, roles, checkIssued, signature) | ${chain.us.toFixed(1)} | ${chain.n} |`);
  console.log(`| X509Certificate.verify alone (the ECDSA P-256 signature, reference) | ${sig.us.toFixed(1)} | ${sig.n} |`);
}
