import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meshMtls, snapshotFor } from '../support/snapshot.js';
import { curl, startHarness, waitFor } from '../support/harness.js';
import { mintSvid, opensslLeafWithoutUri, tempDir, testCa, writeClientFiles } from '../support/svid.js';

const NR_LINE = /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] "- - -" 0 NR filter_chain_not_found - "-" 0 0 0 - "-" "-" "-" "-" "-" - - 127\.0\.0\.1:\d+ 127\.0\.0\.1:\d+ - -$/;

async function clientFiles(ns = 'default', sa = 'sleep') {
  const ca = await testCa();
  return writeClientFiles(tempDir(), `${ns}-${sa}`, await mintSvid(ca, ns, sa));
}

// SVIDs carry no DNS name, so curl cannot check the server's host name: -k. The proxy's check of the client is the point here.
const mtlsArgs = (f: { cert: string; key: string; ca: string }) => ['-k', '--cert', f.cert, '--key', f.key];

test('STRICT closes a plaintext connection: curl exits 56 and the log says NR filter_chain_not_found', async () => {
  const h = await startHarness(snapshotFor([meshMtls('STRICT')]));
  const r = await curl([`http://127.0.0.1:${h.port}/api/catalog`]);
  assert.equal(r.code, 56, r.stderr);
  await waitFor(() => h.lines.length > 0);
  assert.match(h.lines[0] as string, NR_LINE);
  assert.equal(h.app.seen.length, 0);
});

test('STRICT accepts mutual TLS and the app sees XFCC naming the client', async () => {
  const h = await startHarness(snapshotFor([meshMtls('STRICT')]));
  const f = await clientFiles();
  const r = await curl([...mtlsArgs(f), `https://127.0.0.1:${h.port}/api/catalog`]);
  assert.equal(r.code, 0, r.stderr);
  const seen = JSON.parse(r.stdout) as { headers: Record<string, string> };
  assert.match(seen.headers['x-forwarded-client-cert'] as string,
    /^By=spiffe:\/\/cluster\.local\/ns\/istioinaction\/sa\/webapp;Hash=[0-9a-f]{64};Subject="";URI=spiffe:\/\/cluster\.local\/ns\/default\/sa\/sleep$/);
});

test('PERMISSIVE takes plaintext and mutual TLS on the same port', async () => {
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]));
  const plain = await curl([`http://127.0.0.1:${h.port}/x`]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal((JSON.parse(plain.stdout) as { headers: Record<string, string> }).headers['x-forwarded-client-cert'], undefined);
  const f = await clientFiles();
  const tls = await curl([...mtlsArgs(f), `https://127.0.0.1:${h.port}/x`]);
  assert.equal(tls.code, 0, tls.stderr);
  assert.ok((JSON.parse(tls.stdout) as { headers: Record<string, string> }).headers['x-forwarded-client-cert']);
});

test('DISABLE serves plaintext and refuses a TLS handshake', async () => {
  const h = await startHarness(snapshotFor([meshMtls('DISABLE')]));
  assert.equal((await curl([`http://127.0.0.1:${h.port}/x`])).code, 0);
  const f = await clientFiles();
  const tls = await curl([...mtlsArgs(f), `https://127.0.0.1:${h.port}/x`]);
  assert.equal(tls.code, 35, `expected a TLS handshake failure, got ${tls.code} ${tls.stderr}`);
  assert.equal(h.app.seen.length, 1);
});

test('a client certificate from another trust domain fails the handshake', async () => {
  const h = await startHarness(snapshotFor([meshMtls('STRICT')]));
  const evil = await testCa('evil.example');
  const id = await mintSvid(evil, 'default', 'sleep');
  const ours = await testCa();
  const f = writeClientFiles(tempDir(), 'evil', { ...id, bundlePem: ours.bundlePem });
  const r = await curl([...mtlsArgs(f), `https://127.0.0.1:${h.port}/x`]);
  assert.notEqual(r.code, 0);
  assert.equal(h.app.seen.length, 0);
});

test('a client certificate without a URI SAN is refused even when its chain verifies', async () => {
  const other = opensslLeafWithoutUri();
  const ca = await testCa();
  const server = await mintSvid(ca, 'istioinaction', 'webapp');
  const { mutableIdentity } = await import('../support/svid.js');
  const h = await startHarness(snapshotFor([meshMtls('STRICT')]), { identity: mutableIdentity({ ...server, bundlePem: server.bundlePem + other.rootPem }) });
  const f = writeClientFiles(tempDir(), 'nouri', { certChainPem: other.certPem, keyPem: other.keyPem, bundlePem: ca.bundlePem });
  const r = await curl([...mtlsArgs(f), `https://127.0.0.1:${h.port}/x`]);
  assert.notEqual(r.code, 0);
  assert.equal(h.app.seen.length, 0);
  assert.ok(h.lines.some((l) => l.startsWith('WARN') && l.includes('no-uri-san')), h.lines.join('\n'));
});

test('a client without any certificate is refused on STRICT', async () => {
  const h = await startHarness(snapshotFor([meshMtls('STRICT')]));
  const r = await curl(['-k', `https://127.0.0.1:${h.port}/x`]);
  assert.notEqual(r.code, 0);
  assert.equal(h.app.seen.length, 0);
});
