// 10,000 idle mTLS connections to one inbound proxy (in its own process, so its
// memory is its own): the cost per connection, the return to baseline after
// they close, and the per-proxy connection limit refusing the next one with a
// log line. Client connections come from several 127.0.2.x addresses so the
// 4-tuple space never runs out; the count scales down if `ulimit -n` is lower.
//
// The proxy child runs as users run a sidecar: bundled by esbuild into plain JS
// (as `npm run build` does) under plain node with the sidecar's node flags. Under
// tsx every closure the proxy makes carries a `__name` property dictionary (esbuild's
// keepNames), which measured 3 KB more V8 heap and 1.5 KB more RSS per connection,
// and 30 MB more baseline, than the shipped code.
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import tls from 'node:tls';
import { SIDECAR_NODE_FLAGS } from '../../../src/platform/local/sidecar-flags.js';
import type { ProxyIdentity } from '../../../src/proxy/model.js';
import { createTlsContextManager, type TlsContextManager } from '../../../src/proxy/tls/context-manager.js';
import { mintSvid, testCa } from '../support/mint.js';
import { meshMtls, snapshotFor } from '../support/snapshot.js';
import type { ChildMemory, ChildStart } from './proxy-child.js';

/** The figure: 10,000 idle connections. */
const WANTED = Number(process.env.MG_IDLE_CONNECTIONS ?? 10_000);
/**
 * The budget per idle mTLS connection ("about 40 KB"), asserted as is. Measured: 28.8 KB
 * with clients that dial as our sidecars do (leaf-only chains), of which 5.6 KB V8 heap; RSS also
 * counts allocator slack (glibc arenas, V8 pages) that grows with the count. The rest is Node's
 * (heaptrack, per connection): a 1 KB NodeBIO ring each way, ~7 KB for OpenSSL's SSL object, the
 * parsed peer chain, 2 KB of cipher state. A client whose TLS context holds the roots sends the
 * root after its leaf; its handshake flight then passes NodeBIO's first 1 KB buffer and the
 * server keeps a 16 KB one for the connection's life: 49 KB per connection with such clients
 * (a bare `tls.createServer`: 45–46 KB). See `src/proxy/tls/context-manager.ts`.
 */
const BUDGET_BYTES = 40 * 1024;
/** Handshakes in flight at once: enough to keep both cores busy, few enough not to time out on a loaded machine. */
const CONCURRENCY = 200;
const CLIENT_ADDRESSES = 16;

/** Connections this machine's open-file limit allows in each process (both ends hold one descriptor each, plus slack). */
function connectionCount(): number {
  const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  const soft = m?.[1] === 'unlimited' || !m ? Infinity : Number(m[1]);
  return Math.min(WANTED, soft - 1_000);
}

interface ChildHandle { child: ChildProcess; port: number; warns: string[]; memory(): Promise<ChildMemory> }

const REPO = join(import.meta.dirname, '..', '..', '..');

/** proxy-child.ts as plain JS, the way the CLI bundle ships the proxy; under node_modules so its packages resolve. */
async function bundledChild(): Promise<string> {
  const outfile = join(REPO, 'node_modules', '.cache', 'meshguard-memory-test', 'proxy-child.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, 'proxy-child.ts')], outfile, bundle: true, format: 'esm', platform: 'node', target: 'node20',
    packages: 'external', logLevel: 'warning',
  });
  return outfile;
}

async function startChild(start: Omit<ChildStart, 'appPort'>): Promise<ChildHandle> {
  const child = fork(await bundledChild(), [], {
    execArgv: [...SIDECAR_NODE_FLAGS, '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  after(() => child.kill());
  const warns: string[] = [];
  let onMem: ((m: ChildMemory) => void) | undefined;
  const port = await new Promise<number>((resolve) => {
    child.on('message', (m: { port?: number; warn?: string; mem?: ChildMemory }) => {
      if (m.port !== undefined) resolve(m.port);
      if (m.warn !== undefined) warns.push(m.warn);
      if (m.mem && onMem) onMem(m.mem);
    });
    // Nothing listens on port 1: idle connections never reach the app.
    child.send({ ...start, appPort: 1 });
  });
  const memory = () => new Promise<ChildMemory>((resolve) => {
    onMem = resolve;
    child.send('mem');
  });
  return { child, port, warns, memory };
}

/**
 * Clients dial as our outbound side does (one TLS context manager per identity, so the PEMs are
 * parsed once): leaf-only chains, the server verified in JS. What a connection costs the server
 * depends on the client: a Node client whose context holds the roots sends the root too, and
 * the server then keeps a 16 KB buffer per connection (see src/proxy/tls/context-manager.ts).
 */
const managers = new WeakMap<ProxyIdentity, TlsContextManager>();
function managerOf(id: ProxyIdentity): TlsContextManager {
  let m = managers.get(id);
  if (!m) managers.set(id, (m = createTlsContextManager({ current: () => id, onChange: () => () => undefined })));
  return m;
}

/** One mTLS connection, resolved once the handshake and the server's verification finished (rejects on any failure). */
function connect(port: number, id: ProxyIdentity, localAddress: string): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = managerOf(id).dial({ host: '127.0.0.1', port, localAddress, ALPNProtocols: ['http/1.1'] }, () => undefined, (err) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
}

async function openMany(n: number, port: number, id: ProxyIdentity): Promise<tls.TLSSocket[]> {
  const out: tls.TLSSocket[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out.push(await connect(port, id, `127.0.2.${(i % CLIENT_ADDRESSES) + 1}`));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return out;
}

async function closeAll(sockets: tls.TLSSocket[]): Promise<void> {
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => {
    if (s.destroyed) return resolve();
    s.once('close', () => resolve());
    s.destroy();
  })));
}

/** What a refused connection sees: closed without a handshake (or reset). */
function refused(port: number, id: ProxyIdentity): Promise<'refused' | 'accepted'> {
  return new Promise((resolve) => {
    const s = managerOf(id).dial({ host: '127.0.0.1', port, localAddress: '127.0.2.250' }, () => undefined, (err) => {
      s.destroy();
      resolve(err ? 'refused' : 'accepted');
    });
    s.setTimeout(5_000, () => s.destroy());
    s.once('error', () => resolve('refused'));
    s.once('close', () => resolve('refused'));
  });
}

const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;

test('10,000 idle mTLS connections cost at most about 40 KB each, memory is given back when they close (reused, V8 heap at baseline), and the limit refuses the next connection with a log line', { timeout: 240_000 }, async (t) => {
  const n = connectionCount();
  if (n < WANTED) t.diagnostic(`ulimit -n allows ${n} connections per process, not ${WANTED}: scaled down`);
  const ca = await testCa();
  const server = await mintSvid(ca, 'istioinaction', 'webapp');
  const client = await mintSvid(ca, 'default', 'sleep');
  const proxy = await startChild({ snapshot: snapshotFor([meshMtls('STRICT')]), identity: server, maxConnections: n });

  // Warm up (code loaded, TLS contexts and pools allocated), so the baseline holds what every connection shares.
  await closeAll(await openMany(200, proxy.port, client));
  const base = await proxy.memory();

  const started = performance.now();
  const sockets = await openMany(n, proxy.port, client);
  const openSeconds = (performance.now() - started) / 1000;
  const peak = await proxy.memory();
  const perConnection = (peak.rss - base.rss) / n;
  t.diagnostic(`${n} connections opened in ${openSeconds.toFixed(1)} s; RSS ${kb(base.rss)} → ${kb(peak.rss)}: ${kb(perConnection)} per connection (V8 heap ${kb((peak.heapUsed - base.heapUsed) / n)}, external ${kb((peak.external - base.external) / n)})`);
  assert.equal(sockets.filter((s) => !s.destroyed).length, n, 'every connection stays open while idle');
  assert.ok(perConnection <= BUDGET_BYTES, `${kb(perConnection)} per idle connection exceeds ${kb(BUDGET_BYTES)}`);

  // The limit is n: the next connection is refused, and the proxy says so.
  assert.equal(await refused(proxy.port, client), 'refused');
  // The child's log line travels over a pipe: give it a moment to arrive.
  for (let i = 0; i < 40 && !proxy.warns.includes('connection limit reached; connection refused'); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(proxy.warns.includes('connection limit reached; connection refused'), `warn lines: ${proxy.warns.join(' | ')}`);

  await closeAll(sockets);
  const afterClose = await proxy.memory();
  const grown = peak.rss - base.rss;
  t.diagnostic(`after close: RSS ${kb(afterClose.rss)} (${((100 * (afterClose.rss - base.rss)) / grown).toFixed(0)} % of the growth still resident); V8 heap ${kb(afterClose.heapUsed)} (base ${kb(base.heapUsed)})`);
  // The V8 heap gives its memory back at once.
  assert.ok(afterClose.heapUsed - base.heapUsed <= 0.1 * (peak.heapUsed - base.heapUsed) + 1024 * 1024, 'the V8 heap returns to its baseline');
  // OpenSSL's per-connection memory goes back to glibc's free lists, which keep it resident (measured: ~100 %
  // of the growth stays in RSS right after close, with or without GC). "Near baseline" is therefore measured
  // as reuse: half as many connections again must fit in what is already resident, growing RSS by at most
  // 25 % of the first growth (a leak of that state would grow it by ~50 %). It also guards the listener's
  // first-byte sniffing: a TLS server handed the raw handle (no sniff) reads the ClientHello into a 64 KB
  // NodeBIO buffer, which looks cheaper on a fresh heap (37 KB per connection) but grew 15–30 % here and
  // reached 88 KB per connection after four open/close cycles, as reused pages stay resident.
  const again = await openMany(Math.floor(n / 2), proxy.port, client);
  const reuse = await proxy.memory();
  t.diagnostic(`${again.length} connections again: RSS ${kb(afterClose.rss)} → ${kb(reuse.rss)}`);
  await closeAll(again);
  assert.ok(reuse.rss - afterClose.rss <= 0.25 * grown, `reopening ${again.length} connections grew RSS by ${kb(reuse.rss - afterClose.rss)}: the memory of the closed ones was not reused`);
});
