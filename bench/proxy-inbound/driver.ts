// Benchmark of the inbound hop (app direct vs through the proxy over mTLS with
// keep-alive, 100 AuthorizationPolicies and a JWT), the token-cache hit cost,
// and http.Agent vs undici Pool for the app connection. Prints Markdown.
// Bounded: every phase has a fixed duration; the whole run takes about 25 s.
// BENCH_PROF=1 writes a CPU profile of the proxy process to /tmp/mgprof.
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Pool } from 'undici';
import { inlineKeyResolver } from '../../src/policy/jwt/index.js';
import { TokenCache } from '../../src/proxy/inbound/index.js';
import { authenticateRequest } from '../../src/proxy/inbound/authenticate-request.js';
import type { InboundRequest } from '../../src/proxy/inbound/layer.js';
import { compileProxyState } from '../../src/proxy/inbound/proxy-state.js';
import { mintSvid, testCa } from '../../test/proxy/support/mint.js';
import { meshMtls, snapshotFor } from '../../test/proxy/support/snapshot.js';

const HERE = import.meta.dirname;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = 8;

function child(file: string): ChildProcess {
  return fork(join(HERE, file), [], { execArgv: ['--import', 'tsx', ...(process.env.BENCH_PROF && file.startsWith('proxy') ? ['--cpu-prof', '--cpu-prof-dir=/tmp/mgprof'] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function ask<T>(c: ChildProcess, msg: unknown): Promise<T> {
  return new Promise((resolve) => {
    c.once('message', (m) => resolve(m as T));
    c.send(msg as never);
  });
}

interface LoadResult { requests: number; bad: number; seconds: number; p50: number; p99: number; sockets: number }

async function load(job: Record<string, unknown>): Promise<LoadResult> {
  const c = child('load-process.ts');
  return ask<LoadResult>(c, { connections: CONNECTIONS, seconds: SECONDS, headers: {}, ...job });
}

const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

async function policies(n: number) {
  const files = [meshMtls('STRICT')];
  for (let i = 0; i < n - 1; i++) {
    files.push({ file: `p${i}.yaml`, text: `apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: p${i}, namespace: istioinaction}\nspec:\n  selector: {matchLabels: {app: webapp}}\n  rules:\n  - from: [{source: {principals: ["cluster.local/ns/team${i}/sa/svc"]}}]\n    to: [{operation: {methods: ["GET"], paths: ["/team${i}/*"]}}]\n` });
  }
  files.push({ file: 'catalog.yaml', text: 'apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: catalog, namespace: istioinaction}\nspec:\n  selector: {matchLabels: {app: webapp}}\n  rules:\n  - from: [{source: {principals: ["cluster.local/ns/default/sa/sleep"], requestPrincipals: ["bench@meshguard/*"]}}]\n    to: [{operation: {methods: ["GET"], paths: ["/api/catalog*"]}}]\n' });
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'b1', alg: 'RS256' };
  files.push({ file: 'ra.yaml', text: `apiVersion: security.istio.io/v1beta1\nkind: RequestAuthentication\nmetadata: {name: jwt, namespace: istioinaction}\nspec:\n  selector: {matchLabels: {app: webapp}}\n  jwtRules:\n  - issuer: bench@meshguard\n    jwks: '${JSON.stringify({ keys: [jwk] })}'\n` });
  const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'b1' }).setIssuer('bench@meshguard').setSubject('u1').setExpirationTime('1h').sign(privateKey);
  return { snapshot: snapshotFor(files), token };
}

/** ns per call of `fn`, after a warm-up. */
function perCall(fn: () => unknown, n: number): number {
  for (let i = 0; i < n / 10; i++) fn();
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t) / n;
}

async function tokenCacheCosts(snapshot: ReturnType<typeof snapshotFor>, token: string) {
  const cache = new TokenCache();
  const attrs = { principal: 'bench@meshguard/u1', issuer: 'bench@meshguard', audiences: [], claims: {}, spaceDelimited: [] };
  const key = `Bearer ${token}`;
  cache.set(key, attrs, 0, undefined, Date.now());
  const now = Date.now();
  const getNs = perCall(() => cache.get(key, now), 1_000_000);
  // The whole authenticate layer on a hit (a fake request; `next` does nothing).
  const state = compileProxyState(snapshot);
  const layer = authenticateRequest(inlineKeyResolver())(() => {});
  const headers = { authorization: key };
  const r = { state, rawPath: '/api/catalog', req: { headers }, auth: undefined } as unknown as InboundRequest;
  await layer(r); // first call verifies and fills the cache
  const layerNs = perCall(() => {
    headers.authorization = key;
    return layer(r);
  }, 200_000);
  return { getNs, layerNs };
}

async function agentVersusPool(appPort: number, n: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const viaAgent = () => new Promise<void>((resolve) => http.get({ host: '127.0.0.1', port: appPort, path: '/x', agent }, (res) => (res.resume(), res.on('end', resolve))));
  const pool = new Pool(`http://127.0.0.1:${appPort}`, { connections: CONNECTIONS });
  const viaPool = async () => {
    const res = await pool.request({ path: '/x', method: 'GET' });
    await res.body.dump();
  };
  const run = async (fn: () => Promise<void>) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let left = n;
    await Promise.all(Array.from({ length: CONNECTIONS }, async () => { while (left-- > 0) await fn(); }));
    return { cpuUsPerReq: ((cpuSeconds(process.cpuUsage(c0)) * 1e6) / n), rps: n / ((performance.now() - t0) / 1000) };
  };
  await run(viaAgent);
  const a = await run(viaAgent);
  await run(viaPool);
  const p = await run(viaPool);
  agent.destroy();
  await pool.close();
  return { agent: a, pool: p };
}

async function main() {
  const app = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[1,2,3]}');
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  const appPort = (app.address() as AddressInfo).port;
  const ca = await testCa();
  const server = await mintSvid(ca, 'istioinaction', 'webapp');
  const client = await mintSvid(ca, 'default', 'sleep');
  const { snapshot, token } = await policies(100);

  const proxy = child('proxy-process.ts');
  const { port } = await ask<{ port: number }>(proxy, { snapshot, identity: server, appPort });
  const tls = { key: client.keyPem, cert: client.certChainPem, ca: client.bundlePem };
  const headers = { authorization: `Bearer ${token}` };

  const rows: string[] = [];
  const row = (name: string, r: LoadResult, cpu: number | null) => {
    const rps = r.requests / r.seconds;
    const per1k = cpu === null ? '–' : ((cpu / r.seconds) / (rps / 1000)).toFixed(3);
    rows.push(`| ${name} | ${rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${per1k} | ${(r.sockets / r.requests).toFixed(5)} | ${r.bad} |`);
  };

  for (const rate of [0, 1000]) {
    const label = rate ? '~1000 req/s' : 'max';
    const c0 = process.cpuUsage();
    const direct = await load({ port: appPort, rate });
    row(`app direct (${label}); CPU = app`, direct, cpuSeconds(process.cpuUsage(c0)));
    const p0 = (await ask<{ cpu: NodeJS.CpuUsage }>(proxy, 'cpu')).cpu;
    const via = await load({ port, rate, tls, headers });
    const p1 = (await ask<{ cpu: NodeJS.CpuUsage }>(proxy, 'cpu')).cpu;
    row(`via inbound proxy, mTLS + JWT + 100 policies (${label}); CPU = proxy`, via, cpuSeconds({ user: p1.user - p0.user, system: p1.system - p0.system }));
  }
  proxy.send('stop');

  const cache = await tokenCacheCosts(snapshot, token);
  const pool = await agentVersusPool(appPort, 4000);
  app.close();

  console.log(`## Inbound proxy hop (${SECONDS} s per run, ${CONNECTIONS} keep-alive connections, Node ${process.version})\n`);
  console.log('| scenario | req/s | p50 ms | p99 ms | vCPU per 1,000 req/s | TLS handshakes per request | non-200 |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log('\n| micro | cost |\n|---|---|');
  console.log(`| token cache hit (TokenCache.get) | ${(cache.getNs / 1000).toFixed(3)} µs |`);
  console.log(`| authenticate layer on a cache hit (whole layer) | ${(cache.layerNs / 1000).toFixed(3)} µs |`);
  console.log(`| app connection: http.Agent | ${pool.agent.cpuUsPerReq.toFixed(1)} µs CPU/req (client+app), ${pool.agent.rps.toFixed(0)} req/s |`);
  console.log(`| app connection: undici Pool | ${pool.pool.cpuUsPerReq.toFixed(1)} µs CPU/req (client+app), ${pool.pool.rps.toFixed(0)} req/s |`);
  process.exit(0);
}

void main();
