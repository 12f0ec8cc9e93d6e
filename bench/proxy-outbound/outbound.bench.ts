// Outbound hop benchmark: requests/s, p50/p99 latency, CPU of the proxy per 1,000 req/s,
// TLS handshakes per request — through the outbound proxy (pooled mTLS to a sidecar
// stand-in) vs the app called directly; plus the HTTP/1.1 upstream client choice
// (http.Agent vs undici Pool) over mTLS. Loopback only, bounded in time. Prints Markdown.
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { once } from 'node:events';
import { ProxyAgent, Pool, request } from 'undici';
import tls from 'node:tls';
import { DEFAULT_MESH_CONFIG, type Service } from '../../src/config/index.js';
import { createRootCa, createSvidIssuer, generateCaPrivateKey, memoryKeyStore, parseTrustDomain, toPem, workloadId } from '../../src/identity/index.js';
import { x509 } from '../../src/identity/x509-provider.js';
import type { ProxyIdentity, ProxySnapshot } from '../../src/proxy/model.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const child = (): ChildProcess => fork(new URL('./child.ts', import.meta.url).pathname, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
async function ask<T>(c: ChildProcess, msg: unknown): Promise<T> {
  c.send(msg as object);
  return (await once(c, 'message'))[0] as T;
}

async function svid(ns: string, sa: string): Promise<ProxyIdentity> {
  const ca = await createRootCa({ trustDomain: parseTrustDomain('cluster.local'), keyStore: memoryKeyStore(generateCaPrivateKey()), now: () => new Date() });
  const issuer = await createSvidIssuer({ ca, now: () => new Date() });
  const mk = async (n: string, s: string) => {
    const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ keys: keys as never, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } });
    const spiffeId = workloadId(parseTrustDomain('cluster.local'), n, s);
    const out = await issuer.issue({ csrDer: Buffer.from(csr.rawData), spiffeId });
    const pk = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64').replace(/.{64}/g, '$&\n');
    return { spiffeId, certChainPem: out.chainPem, keyPem: `-----BEGIN PRIVATE KEY-----\n${pk}\n-----END PRIVATE KEY-----\n`, bundlePem: toPem(ca.roots), notAfter: out.notAfter };
  };
  return Object.assign(await mk(ns, sa), { catalog: await mk('istioinaction', 'catalog') });
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

/** Open-loop-ish load: RATE req/s for SECONDS, 16 workers pacing themselves. */
async function load(send: () => Promise<void>): Promise<{ rps: number; p50: number; p99: number; n: number; errors: number }> {
  const lat: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  const interval = 16_000 / RATE;
  const worker = async (w: number) => {
    let next = start + (w * interval) / 16;
    while (performance.now() < end) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t = performance.now();
      try { await send(); lat.push(performance.now() - t); } catch { errors++; }
      next += interval;
    }
  };
  await Promise.all(Array.from({ length: 16 }, (_, w) => worker(w)));
  lat.sort((a, b) => a - b);
  return { rps: lat.length / ((performance.now() - start) / 1000), p50: pct(lat, 50), p99: pct(lat, 99), n: lat.length, errors };
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

async function main(): Promise<void> {
  const webapp = (await svid('istioinaction', 'webapp')) as ProxyIdentity & { catalog: ProxyIdentity };
  const dest = child();
  const proxyChild = child();
  try {
    const { appPort, sidecarPort } = await ask<{ appPort: number; sidecarPort: number }>(dest, { role: 'destination', identity: webapp.catalog });
    const service = { apiVersion: 'v1', group: '', kind: 'Service', metadata: { name: 'catalog', namespace: 'istioinaction' }, spec: { selector: { app: 'catalog' }, ports: [{ port: 80, targetPort: sidecarPort }] }, source: { file: 'bench', document: 0, line: 1, column: 1 } } as Service;
    const snapshot: ProxySnapshot = {
      version: '1', mesh: DEFAULT_MESH_CONFIG, peerAuthentications: [], requestAuthentications: [], authorizationPolicies: [], services: [service],
      workload: { namespace: 'istioinaction', name: 'webapp', labels: { app: 'webapp' }, address: '127.0.0.1', ports: [], sidecar: true, spiffeId: webapp.spiffeId, serviceAccount: 'webapp' },
      endpoints: [{ namespace: 'istioinaction', name: 'catalog', labels: { app: 'catalog' }, address: '127.0.0.1', ports: [{ port: sidecarPort }], sidecar: true, spiffeId: webapp.catalog.spiffeId }],
    };
    const { port } = await ask<{ port: number }>(proxyChild, { role: 'proxy', identity: webapp, snapshot });
    const rows: string[] = [];
    const row = (name: string, r: Awaited<ReturnType<typeof load>>, cpu: number | undefined, hs: number | undefined) =>
      rows.push(`| ${name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${cpu === undefined ? '–' : ((cpu / 1000 / SECONDS) / (r.rps / 1000)).toFixed(3)} | ${hs === undefined ? '–' : (hs / r.n).toFixed(4)} | ${r.errors} |`);

    const direct = new Pool(`http://127.0.0.1:${appPort}`, { connections: 16 });
    const viaProxy = new ProxyAgent({ uri: `http://127.0.0.1:${port}`, proxyTunnel: false, connections: 16 } as ConstructorParameters<typeof ProxyAgent>[0]);
    const get = (d: Pool | ProxyAgent, url: string) => async () => { const r = await request(url, { dispatcher: d }); await r.body.dump(); if (r.statusCode !== 200) throw new Error(String(r.statusCode)); };
    await load(get(viaProxy, 'http://catalog.istioinaction/items')).catch(() => undefined); // warm-up skipped below
    row('direct (app, no proxy)', await load(get(direct, `http://127.0.0.1:${appPort}/items`)), undefined, undefined);
    const c0 = await ask<{ cpu: NodeJS.CpuUsage; handshakes: number }>(proxyChild, { role: 'cpu' });
    const r = await load(get(viaProxy, 'http://catalog.istioinaction/items'));
    const c1 = await ask<{ cpu: NodeJS.CpuUsage; handshakes: number }>(proxyChild, { role: 'cpu' });
    row('through outbound proxy (pooled mTLS)', r, cpuMs(c1.cpu) - cpuMs(c0.cpu), c1.handshakes - c0.handshakes);

    // Upstream client choice: the same mTLS requests from this process with http.Agent vs undici Pool.
    const tlsOpts = { key: webapp.keyPem, cert: webapp.certChainPem, ca: webapp.bundlePem, checkServerIdentity: () => undefined };
    const agent = new https.Agent({ ...tlsOpts, keepAlive: true, maxSockets: 16 });
    const viaAgent = () => new Promise<void>((res, rej) => {
      https.get({ host: '127.0.0.1', port: sidecarPort, path: '/items', agent }, (m: http.IncomingMessage) => { m.resume(); m.on('end', res); }).on('error', rej);
    });
    const pool = new Pool(`http://127.0.0.1:${sidecarPort}`, { connections: 16, connect: (_o, cb) => { const s = tls.connect({ host: '127.0.0.1', port: sidecarPort, ...tlsOpts, ALPNProtocols: ['http/1.1'] }, () => cb(null, s)); s.once('error', (e) => cb(e, null)); } });
    for (const [name, send] of [['upstream client: http.Agent (mTLS)', viaAgent], ['upstream client: undici Pool (mTLS)', get(pool, `http://127.0.0.1:${sidecarPort}/items`)]] as const) {
      const u0 = process.cpuUsage();
      const res = await load(send);
      row(name, res, cpuMs(process.cpuUsage(u0)), undefined);
    }
    agent.destroy();
    await Promise.all([direct.close(), viaProxy.close(), pool.close()]);
    console.log(`Outbound hop, target ${RATE} req/s for ${SECONDS} s per row, 16 client connections, loopback, ${new Date().toISOString()}\n`);
    console.log('| scenario | req/s | p50 ms | p99 ms | vCPU per 1k req/s (measured process) | TLS handshakes / request | errors |');
    console.log('|---|---|---|---|---|---|---|');
    console.log(rows.join('\n'));
    console.log('\nCPU column: the proxy child for the proxy row; this client process for the upstream-client rows (lower is cheaper).');
  } finally {
    dest.kill();
    proxyChild.kill();
  }
}

await main();
