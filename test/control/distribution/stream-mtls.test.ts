/**
 * The configuration stream over mutual TLS, attacked: a client without a
 * certificate, with one of another CA or trust domain, or whose SVID names
 * another namespace or service account than its hello, gets no snapshot; a
 * server that is not the control plane gets nothing from the proxy; renewals
 * and root rotations are followed without a restart. Real TLS on loopback.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { mintControlPlaneSvid } from '../../../src/control/ca-service/control-plane-svid.js';
import { mtlsStreamTransport } from '../../../src/control/distribution/index.js';
import { toDocument } from '../../../src/control/distribution/resource-records.js';
import { ConfigClient, mtlsDialer, type StreamDialer } from '../../../src/proxy/config-client/index.js';
import { createTlsContextManager } from '../../../src/proxy/tls/index.js';
import { controlPlaneSpiffeId } from '../../../src/wire/index.js';
import { mintSvid } from '../../proxy/support/mint.js';
import { load, MESH_YAML } from './fixtures.js';
import { startTestControlPlane, type TestControlPlane } from './harness.js';
import { meshCa, mutableIdentity, newCa, rawTlsExchange, servingIdentity } from './pki.js';

const root = mkdtempSync(join(tmpdir(), 'mg-dist-tls-'));
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(root, { recursive: true, force: true });
});
let n = 0;

async function controlPlane(opts: Parameters<typeof startTestControlPlane>[1] = {}): Promise<TestControlPlane> {
  const cp = await startTestControlPlane(join(root, `cp${n++}`), opts);
  cleanups.push(() => cp.stop());
  await cp.dist.distributor.apply({ resources: load(MESH_YAML).map(toDocument) });
  return cp;
}

/** A pino logger whose JSON lines the test can read. */
function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, new Writable({ write(chunk: Buffer, _e, done) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done(); } }));
  return { log, lines };
}

const HELLO_FOO_WEB = '{"type":"hello","namespace":"foo","name":"web"}\n';
const messages = (out: string) => out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; code?: string; message?: string });

/** Runs a client until it has a snapshot or `ms` pass; resolves whether it got one. */
async function getsSnapshot(dialer: StreamDialer, workload = { namespace: 'foo', name: 'web' }, ms = 1500): Promise<boolean> {
  let got = false;
  const client = new ConfigClient({ dialer, workload, reconnect: { initialMs: 50, maxMs: 100 }, onSnapshot: () => { got = true; return { ok: true }; } });
  client.start();
  for (const end = Date.now() + ms; !got && Date.now() < end;) await new Promise((r) => setTimeout(r, 20));
  await client.close();
  return got;
}

describe('configuration stream over mTLS: the control plane checks the proxy', () => {
  it('sends the snapshot to a proxy whose SVID names the workload its hello names', async () => {
    const cp = await controlPlane();
    const out = messages(await rawTlsExchange(cp.streamAddress, await mintSvid(await meshCa(), 'foo', 'web-sa'), HELLO_FOO_WEB));
    assert.equal(out[0]?.type, 'snapshot');
    assert.equal(cp.dist.distributor.proxyStatus()[0]?.name, 'web');
  });

  it('ends the handshake of a client without a certificate: nothing is read, no proxy is recorded', async () => {
    const cp = await controlPlane();
    assert.equal(await rawTlsExchange(cp.streamAddress, undefined, HELLO_FOO_WEB), '');
    assert.deepEqual(cp.dist.distributor.proxyStatus(), []);
  });

  it('ends the handshake of a client whose certificate comes from another CA of the same trust domain', async () => {
    const cp = await controlPlane();
    const impostor = await mintSvid(await newCa('cluster.local'), 'foo', 'web-sa');
    assert.equal(await rawTlsExchange(cp.streamAddress, impostor, HELLO_FOO_WEB), '');
    assert.deepEqual(cp.dist.distributor.proxyStatus(), []);
  });

  it('ends the handshake of a client of another trust domain whose root it does not trust', async () => {
    const cp = await controlPlane();
    const foreign = await mintSvid(await newCa('other.example'), 'foo', 'web-sa');
    assert.equal(await rawTlsExchange(cp.streamAddress, foreign, HELLO_FOO_WEB), '');
    assert.deepEqual(cp.dist.distributor.proxyStatus(), []);
  });

  it('refuses a client of another trust domain even when its root is trusted (federation), with MG_STREAM_IDENTITY_MISMATCH', async () => {
    const foreignCa = await newCa('other.example');
    const { log, lines } = capturedLog();
    const cp = await controlPlane({ serving: await servingIdentity(await meshCa(), [await meshCa(), foreignCa]), log });
    const out = messages(await rawTlsExchange(cp.streamAddress, await mintSvid(foreignCa, 'foo', 'web-sa'), HELLO_FOO_WEB));
    assert.deepEqual(out.map((m) => [m.type, m.code]), [['error', 'MG_STREAM_IDENTITY_MISMATCH']]);
    const line = lines.find((l) => l.code === 'MG_STREAM_IDENTITY_MISMATCH');
    assert.equal(line?.reason, 'foreign-trust-domain');
    assert.equal(line?.peer, 'spiffe://other.example/ns/foo/sa/web-sa');
    assert.deepEqual(cp.dist.distributor.proxyStatus(), []);
  });

  it('refuses a proxy whose SVID names another namespace than its hello, before any snapshot, and logs both identities', async () => {
    const { log, lines } = capturedLog();
    const cp = await controlPlane({ log });
    const out = messages(await rawTlsExchange(cp.streamAddress, await mintSvid(await meshCa(), 'bar', 'web-sa'), HELLO_FOO_WEB));
    assert.deepEqual(out.map((m) => [m.type, m.code]), [['error', 'MG_STREAM_IDENTITY_MISMATCH']], 'an error and nothing else: no snapshot first');
    assert.match(out[0]!.message!, /spiffe:\/\/cluster\.local\/ns\/bar\/sa\/web-sa.*spiffe:\/\/cluster\.local\/ns\/foo\/sa\/web-sa/);
    const line = lines.find((l) => l.code === 'MG_STREAM_IDENTITY_MISMATCH');
    assert.deepEqual([line?.reason, line?.peer, line?.hello], ['namespace', 'spiffe://cluster.local/ns/bar/sa/web-sa', 'spiffe://cluster.local/ns/foo/sa/web-sa']);
    assert.deepEqual(cp.dist.distributor.proxyStatus(), []);
  });

  it('refuses a proxy whose SVID names another service account than the Workload resource', async () => {
    const cp = await controlPlane();
    const out = messages(await rawTlsExchange(cp.streamAddress, await mintSvid(await meshCa(), 'foo', 'db'), HELLO_FOO_WEB));
    assert.deepEqual(out.map((m) => [m.type, m.code]), [['error', 'MG_STREAM_IDENTITY_MISMATCH']]);
  });

  it('refuses the control plane own identity posing as a proxy', async () => {
    const cp = await controlPlane();
    const svid = await mintSvid(await meshCa(), 'istio-system', 'meshguard');
    const out = messages(await rawTlsExchange(cp.streamAddress, svid, HELLO_FOO_WEB));
    assert.deepEqual(out.map((m) => m.code), ['MG_STREAM_IDENTITY_MISMATCH']);
  });

  it('takes the hello service account only when no Workload resource has that name', async () => {
    const cp = await controlPlane();
    const ghost = await mintSvid(await meshCa(), 'foo', 'ghost-sa');
    const named = messages(await rawTlsExchange(cp.streamAddress, ghost, '{"type":"hello","namespace":"foo","name":"ghost","serviceAccount":"ghost-sa"}\n'));
    assert.equal(named[0]?.type, 'snapshot');
    const unnamed = messages(await rawTlsExchange(cp.streamAddress, ghost, '{"type":"hello","namespace":"foo","name":"ghost"}\n'));
    assert.deepEqual(unnamed.map((m) => m.code), ['MG_STREAM_IDENTITY_MISMATCH'], 'without one the workload runs as default');
    const claimed = messages(await rawTlsExchange(cp.streamAddress, ghost, '{"type":"hello","namespace":"foo","name":"web","serviceAccount":"ghost-sa"}\n'));
    assert.deepEqual(claimed.map((m) => m.code), ['MG_STREAM_IDENTITY_MISMATCH'], 'a Workload resource overrides what the hello claims');
  });

  it('closes the stream of a proxy whose workload is later declared with another service account, sending it nothing more', async () => {
    const cp = await controlPlane();
    const events: string[] = [];
    const seen: string[] = [];
    const client = new ConfigClient({
      dialer: await cp.dialer('foo', 'ghost-sa'), workload: { namespace: 'foo', name: 'ghost', serviceAccount: 'ghost-sa' },
      reconnect: { initialMs: 5000, maxMs: 5000 },
      onSnapshot: (snap) => { seen.push(snap.workload.serviceAccount); return { ok: true }; },
      onEvent: (e) => events.push(`${e.type} ${e.detail ?? ''}`),
    });
    cleanups.push(() => client.close());
    client.start();
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, ['ghost-sa']);
    await cp.dist.distributor.apply({ resources: load('apiVersion: meshguard.dev/v1alpha1\nkind: Workload\nmetadata: {name: ghost, namespace: foo}\nspec: {serviceAccount: other-sa}\n').map(toDocument) });
    for (let i = 0; i < 100 && !events.some((e) => e.startsWith('disconnected')); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(events.some((e) => /^error MG_STREAM_IDENTITY_MISMATCH: .*other-sa/.test(e)), events.join('; '));
    assert.deepEqual(seen, ['ghost-sa'], 'the snapshot of the workload running as other-sa never reached it');
    assert.equal(cp.dist.distributor.proxyStatus()[0]?.connected, false);
  });

  it('still refuses out-of-order and malformed messages from an authenticated proxy', async () => {
    const cp = await controlPlane();
    const svid = await mintSvid(await meshCa(), 'foo', 'web-sa');
    assert.match(await rawTlsExchange(cp.streamAddress, svid, '{"type":"ack","version":"x"}\n'), /MG_STREAM_BAD_MESSAGE.*first message must be hello/);
    assert.match(await rawTlsExchange(cp.streamAddress, svid, '{"type":"hello","namespace":"../etc","name":"x"}\n'), /MG_STREAM_BAD_MESSAGE.*namespace: must be a DNS-1123 name/);
    assert.match(await rawTlsExchange(cp.streamAddress, svid, 'not json\n'), /MG_STREAM_BAD_MESSAGE/);
    assert.match(await rawTlsExchange(cp.streamAddress, svid, `${HELLO_FOO_WEB}${HELLO_FOO_WEB}`), /MG_STREAM_BAD_MESSAGE.*hello sent twice/);
    assert.match(await rawTlsExchange(cp.streamAddress, svid, `{"type":"hello","namespace":"${'a'.repeat(17 * 1024 * 1024)}`), /MG_STREAM_LINE_TOO_LONG/);
    assert.deepEqual(cp.dist.distributor.proxyStatus(), []);
  });

  it('listens only on loopback', () => {
    assert.throws(() => mtlsStreamTransport({ listen: '0.0.0.0:0', serving: undefined as never }), /only listens\/dials on loopback/);
  });
});

describe('configuration stream over mTLS: the proxy checks the control plane', () => {
  it('refuses a server whose valid SVID is not the control plane, and sends it nothing', async () => {
    const ca = await meshCa();
    const server = await mintSvid(ca, 'istio-system', 'not-meshguard');
    let received = 0;
    const fake = createTlsServer({ key: server.keyPem, cert: server.certChainPem, ca: ca.bundlePem, requestCert: true }, (s) => {
      s.on('data', (c: Buffer) => (received += c.length));
      s.on('error', () => undefined);
    });
    await new Promise<void>((ok) => fake.listen(0, '127.0.0.1', ok));
    cleanups.push(() => new Promise<void>((done) => fake.close(() => done())));
    const address = `127.0.0.1:${(fake.address() as { port: number }).port}`;
    const tls = createTlsContextManager(mutableIdentity(await mintSvid(ca, 'foo', 'web-sa')));
    const dialer = mtlsDialer(address, { tls, serverId: controlPlaneSpiffeId('cluster.local') });
    await assert.rejects(dialer.dial(), (err: { code: string; message: string }) => {
      assert.equal(err.code, 'MG_STREAM_SERVER_IDENTITY');
      assert.match(err.message, /spiffe:\/\/cluster\.local\/ns\/istio-system\/sa\/not-meshguard, not the control plane/);
      return true;
    });
    assert.equal(await getsSnapshot(dialer, undefined, 300), false);
    assert.equal(received, 0, 'not even the hello was sent');
  });

  it('refuses a control plane of another CA (its chain does not verify against the bundle)', async () => {
    const cp = await controlPlane({ serving: await servingIdentity(await newCa('cluster.local')) });
    const tls = createTlsContextManager(mutableIdentity(await mintSvid(await meshCa(), 'foo', 'web-sa')));
    await assert.rejects(mtlsDialer(cp.streamAddress, { tls, serverId: controlPlaneSpiffeId('cluster.local') }).dial(), { code: 'MG_STREAM_CONNECT' });
  });

  it('dials only loopback addresses', async () => {
    const tls = createTlsContextManager(mutableIdentity(await mintSvid(await meshCa(), 'foo', 'web-sa')));
    assert.throws(() => mtlsDialer('10.0.0.1:15012', { tls, serverId: 'x' }), /only listens\/dials on loopback/);
  });
});

describe('configuration stream over mTLS: renewals and root rotation', () => {
  it('reconnects with the renewed SVID and follows a root rotation without restarting the stream', async () => {
    const oldCa = await meshCa();
    const newRoot = await newCa('cluster.local');
    const serving = await servingIdentity(oldCa);
    const cp = await controlPlane({ serving });
    const identity = mutableIdentity(await mintSvid(oldCa, 'foo', 'web-sa'));
    const dialer = mtlsDialer(cp.streamAddress, { tls: createTlsContextManager(identity), serverId: controlPlaneSpiffeId('cluster.local') });
    assert.equal(await getsSnapshot(dialer), true);

    // Prepare + activate: the control plane trusts both roots and serves from the new one; the proxy renews from it.
    const bothRoots = oldCa.bundlePem + newRoot.bundlePem;
    serving.update({ svid: await mintControlPlaneSvid(newRoot.ca, { hosts: ['127.0.0.1'], now: new Date() }), rootsPem: bothRoots });
    const stale = await mintSvid(oldCa, 'foo', 'web-sa');
    identity.set({ ...(await mintSvid(newRoot, 'foo', 'web-sa')), bundlePem: bothRoots });
    assert.equal(await getsSnapshot(dialer), true, 'the reconnect presents the renewed SVID and trusts the new root');
    assert.equal(messages(await rawTlsExchange(cp.streamAddress, stale, HELLO_FOO_WEB))[0]?.type, 'snapshot', 'old-root SVIDs still work while both are trusted');

    // Retire: only the new root is trusted; the listener was never restarted.
    serving.update({ svid: serving.current.svid, rootsPem: newRoot.bundlePem });
    assert.equal(await rawTlsExchange(cp.streamAddress, stale, HELLO_FOO_WEB), '', 'an SVID of the retired root is refused');
    identity.set({ ...identity.current(), bundlePem: newRoot.bundlePem });
    assert.equal(await getsSnapshot(dialer), true);
  });
});
