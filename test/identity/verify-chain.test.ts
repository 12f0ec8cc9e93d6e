// Path validation as the proxy's client side does it (its TLS context holds no roots, so
// OpenSSL cannot): one accepted chain of each shape, and each attack refused with its reason.
// Certificates are built by @peculiar/x509 with one rule bent at a time.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { x509 } from '../../src/identity/x509-provider.js';
import { MAX_INTERMEDIATES, trustAnchorsOf, verifyChain, type ChainPurpose } from '../../src/identity/verify-chain.js';
import { issue, type Issued } from './pki.js';
import { NOW } from './support.js';

const root = await issue({ subject: 'root', ca: true });
const anchors = trustAnchorsOf([root.cert.raw]);

function verdict(leaf: Issued, presented: Issued[] = [], purpose: ChainPurpose = 'server', trust = anchors) {
  return verifyChain(leaf.cert, presented.map((c) => c.cert), trust, { purpose, now: NOW });
}

test('accepts a leaf issued by a root of the bundle, with or without the root presented after it', async () => {
  const leaf = await issue({ subject: 'web', issuer: root });
  assert.deepEqual(verdict(leaf), { ok: true });
  assert.deepEqual(verdict(leaf, [root]), { ok: true });
  assert.deepEqual(verdict(leaf, [], 'client'), { ok: true });
});

test('accepts root → intermediate → leaf with the intermediate presented (a plugged-in CA), and refuses it without', async () => {
  const mid = await issue({ subject: 'mid', issuer: root, ca: true });
  const leaf = await issue({ subject: 'web', issuer: mid });
  assert.deepEqual(verdict(leaf, [mid]), { ok: true });
  assert.deepEqual(verdict(leaf), { ok: false, reason: 'unknown-issuer' });
});

test('refuses a leaf from another CA, even one that copies the root’s name, and a forged root presented alongside', async () => {
  const other = await issue({ subject: 'other', ca: true });
  assert.equal(verdict(await issue({ subject: 'web', issuer: other })).ok, false);
  // Same subject as our root, its own key: names match, the signature cannot.
  const lookalike = await issue({ subject: 'root', ca: true });
  const forged = await issue({ subject: 'web', issuer: lookalike });
  assert.equal(verdict(forged).ok, false);
  assert.equal(verdict(forged, [lookalike]).ok, false);
});

test('during a root rotation, finds the root that signed the leaf among roots of the same name', async () => {
  const oldRoot = await issue({ subject: 'cluster', ca: true, keyIds: false });
  const newRoot = await issue({ subject: 'cluster', ca: true, keyIds: false });
  const both = trustAnchorsOf([oldRoot.cert.raw, newRoot.cert.raw]);
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: newRoot, keyIds: false }), [], 'server', both), { ok: true });
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: oldRoot, keyIds: false }), [], 'server', both), { ok: true });
  // Neither root signed it: refused, whichever was tried last.
  const stranger = await issue({ subject: 'cluster', ca: true, keyIds: false });
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: stranger, keyIds: false }), [], 'server', both), { ok: false, reason: 'bad-signature' });
});

test('refuses a certificate signed by a workload’s leaf (not a CA), even when the leaf is presented', async () => {
  const workload = await issue({ subject: 'sleep', issuer: root });
  const minted = await issue({ subject: 'catalog', issuer: workload });
  assert.equal(verdict(minted, [workload]).ok, false);
  // The same with the keyCertSign bit the attacker would need: still not a CA.
  const signerish = await issue({ subject: 'sleep2', issuer: root, usages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign });
  assert.deepEqual(verdict(await issue({ subject: 'catalog', issuer: signerish }), [signerish]), { ok: false, reason: 'issuer-not-ca' });
});

test('refuses expired and not-yet-valid certificates anywhere in the chain', async () => {
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: root, notAfter: new Date(NOW.getTime() - 1000) })), { ok: false, reason: 'not-valid-now' });
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: root, notBefore: new Date(NOW.getTime() + 60_000) })), { ok: false, reason: 'not-valid-now' });
  const oldMid = await issue({ subject: 'mid', issuer: root, ca: true, notAfter: new Date(NOW.getTime() - 1000) });
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: oldMid }), [oldMid]), { ok: false, reason: 'not-valid-now' });
  const oldRoot = await issue({ subject: 'oldroot', ca: true, notAfter: new Date(NOW.getTime() - 1000) });
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: oldRoot }), [], 'server', trustAnchorsOf([oldRoot.cert.raw])), { ok: false, reason: 'not-valid-now' });
});

test('refuses a CA certificate as the leaf, and a leaf without the purpose it is used for', async () => {
  const caLeaf = await issue({ subject: 'mid', issuer: root, ca: true });
  assert.deepEqual(verdict(caLeaf), { ok: false, reason: 'leaf-is-ca' });
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: root, eku: [x509.ExtendedKeyUsage.clientAuth] })), { ok: false, reason: 'wrong-purpose' });
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: root, eku: [x509.ExtendedKeyUsage.serverAuth] }), [], 'client'), { ok: false, reason: 'wrong-purpose' });
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: root, usages: x509.KeyUsageFlags.keyEncipherment })), { ok: false, reason: 'wrong-purpose' });
  // No EKU at all means any purpose (RFC 5280), as OpenSSL has it.
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: root, eku: null })), { ok: true });
});

test('refuses critical extensions it does not enforce (name constraints, unknown ones), on the leaf or an intermediate', async () => {
  const unknown = new x509.Extension('1.3.6.1.4.1.99999.1', true, new Uint8Array([0x05, 0x00]));
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: root, extra: [unknown] })), { ok: false, reason: 'critical-extension' });
  // The same extension, not critical, may be ignored.
  const harmless = new x509.Extension('1.3.6.1.4.1.99999.1', false, new Uint8Array([0x05, 0x00]));
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: root, extra: [harmless] })), { ok: true });
  const constrained = await issue({ subject: 'mid', issuer: root, ca: true, extra: [new x509.Extension('2.5.29.30', true, new Uint8Array([0x30, 0x00]))] });
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: constrained }), [constrained]), { ok: false, reason: 'critical-extension' });
});

test('honours path lengths and bounds the chain', async () => {
  const strictRoot = await issue({ subject: 'strict', ca: true, pathLen: 0 });
  const strictAnchors = trustAnchorsOf([strictRoot.cert.raw]);
  const mid = await issue({ subject: 'mid', issuer: strictRoot, ca: true });
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: mid }), [mid], 'server', strictAnchors), { ok: false, reason: 'path-length' });
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: strictRoot }), [], 'server', strictAnchors), { ok: true });
  const mid0 = await issue({ subject: 'mid0', issuer: root, ca: true, pathLen: 0 });
  const mid1 = await issue({ subject: 'mid1', issuer: mid0, ca: true });
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: mid1 }), [mid1, mid0]), { ok: false, reason: 'path-length' });
  // A chain one intermediate longer than we follow.
  let top = root;
  const chain: Issued[] = [];
  for (let i = 0; i <= MAX_INTERMEDIATES; i++) chain.unshift((top = await issue({ subject: `mid-${i}`, issuer: top, ca: true })));
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: top }), chain), { ok: false, reason: 'unknown-issuer' });
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: chain[1]! }), chain.slice(1)), { ok: true });
});

test('refuses SHA-1 signatures and weak keys', async () => {
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: root, signingHash: 'SHA-1' })), { ok: false, reason: 'weak-algorithm' });
  const rsa1024 = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: root, keyAlgorithm: rsa1024 })), { ok: false, reason: 'weak-algorithm' });
  const rsa2048 = { ...rsa1024, modulusLength: 2048 };
  assert.deepEqual(verdict(await issue({ subject: 'web', issuer: root, keyAlgorithm: rsa2048 })), { ok: true });
});

test('fuzz: no single-byte change to a valid leaf verifies, and none makes the verifier throw', async () => {
  const leaf = await issue({ subject: 'web', issuer: root });
  const der = Buffer.from(leaf.cert.raw);
  let seed = 0x5eed;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  let parsed = 0;
  for (let i = 0; i < 600; i++) {
    const mutant = Buffer.from(der);
    const at = rand(mutant.length);
    mutant[at] = mutant[at]! ^ (1 + rand(255));
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(mutant);
    } catch {
      continue; // OpenSSL refused it before we would see it
    }
    parsed++;
    assert.equal(verifyChain(cert, [], anchors, { purpose: 'server', now: NOW }).ok, false, `byte ${at} changed, still verified`);
  }
  assert.ok(parsed > 100, `only ${parsed} mutants parsed: the fuzz checked too little`);
});
