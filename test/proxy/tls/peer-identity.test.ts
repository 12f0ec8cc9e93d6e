import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { peerIdentityOf } from '../../../src/proxy/tls/index.js';
import { mintSvid, opensslLeafWithoutUri, testCa } from '../support/svid.js';

const DOMAINS = new Set(['cluster.local']);

/** A stand-in certificate: only the fields peerIdentityOf reads. */
function fakeCert(subjectAltName: string | undefined): X509Certificate {
  return { subjectAltName, subject: '', raw: Buffer.from('x') } as unknown as X509Certificate;
}

test('a minted SVID gives the principal, namespace, hash and empty subject', async () => {
  const svid = await mintSvid(await testCa(), 'default', 'sleep');
  const cert = new X509Certificate(svid.certChainPem);
  const id = peerIdentityOf(cert, DOMAINS);
  assert.ok(id.ok);
  assert.equal(id.principal, 'cluster.local/ns/default/sa/sleep');
  assert.equal(id.namespace, 'default');
  assert.equal(id.subject, '');
  assert.match(id.certHash, /^[0-9a-f]{64}$/);
});

test('refuses a certificate from a trust domain that is not ours', async () => {
  const svid = await mintSvid(await testCa('evil.example'), 'default', 'sleep');
  assert.deepEqual(peerIdentityOf(new X509Certificate(svid.certChainPem), DOMAINS), { ok: false, reason: 'foreign-trust-domain' });
});

test('refuses a certificate without a URI SAN', () => {
  const leaf = opensslLeafWithoutUri();
  assert.deepEqual(peerIdentityOf(new X509Certificate(leaf.certPem), DOMAINS), { ok: false, reason: 'no-uri-san' });
});

test('refuses two URI SANs, a non-SPIFFE URI, the bare trust-domain ID and quoted SAN text', () => {
  assert.deepEqual(peerIdentityOf(fakeCert('URI:spiffe://cluster.local/ns/a/sa/b, URI:spiffe://cluster.local/ns/c/sa/d'), DOMAINS), { ok: false, reason: 'several-uri-sans' });
  assert.deepEqual(peerIdentityOf(fakeCert('URI:https://cluster.local/ns/a/sa/b'), DOMAINS), { ok: false, reason: 'not-spiffe' });
  assert.deepEqual(peerIdentityOf(fakeCert('URI:spiffe://cluster.local'), DOMAINS), { ok: false, reason: 'no-workload-path' });
  assert.deepEqual(peerIdentityOf(fakeCert('URI:"spiffe://cluster.local/ns/a/sa/b, URI:x"'), DOMAINS), { ok: false, reason: 'unparsable-san' });
  assert.deepEqual(peerIdentityOf(undefined, DOMAINS), { ok: false, reason: 'no-certificate' });
});

test('a DNS SAN next to the URI SAN does not count as a second identity', () => {
  const id = peerIdentityOf(fakeCert('DNS:webapp, URI:spiffe://cluster.local/ns/a/sa/b'), DOMAINS);
  assert.equal(id.ok && id.principal, 'cluster.local/ns/a/sa/b');
});
