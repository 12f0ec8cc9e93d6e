import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseBundleDocument, jwtKeySet, validateJwtSvid, parseTrustDomain, createRootCa, memoryKeyStore, generateCaPrivateKey, toPem } from '../../../src/identity/index.js';
import { mintControlPlaneSvid } from '../../../src/control/ca-service/control-plane-svid.js';
import { opensslCsr, openssl, tempDir } from '../../identity/support.js';
import { startTestControlPlane, type TestControlPlane } from '../ca-service/support.js';

let t: TestControlPlane;
before(async () => { t = await startTestControlPlane(); });
after(async () => { await t.stop(); });

const pemOf = (der: Buffer) => `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;

/** Signs a fresh EC CSR with a new join token for ns/sa; returns the SVID and the key. */
async function firstContact(ns = 'payments', sa = 'checkout') {
  const { token, id } = await t.token(ns, sa);
  const csr = opensslCsr('ec-p256');
  const svid = await t.client().sign({ csrPem: pemOf(csr.der), attestation: { type: 'join', token } });
  return { svid, keyPem: csr.keyPem, tokenId: id, token };
}

describe('CA API: Sign (first contact, server-authenticated TLS)', () => {
  it('issues the attested identity, ignoring the CSR subject, with a chain openssl verifies', async () => {
    const { svid } = await firstContact();
    assert.equal(svid.spiffeId, 'spiffe://cluster.local/ns/payments/sa/checkout');
    const leaf = new X509Certificate(svid.chainPem);
    assert.equal(leaf.subjectAltName, 'URI:spiffe://cluster.local/ns/payments/sa/checkout');
    assert.ok(!(leaf.subject ?? '').includes('evil'), 'the CSR subject is not copied');
    const dir = tempDir();
    writeFileSync(join(dir, 'chain.pem'), svid.chainPem);
    writeFileSync(join(dir, 'root.pem'), t.rootPem());
    assert.match(openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'chain.pem', 'chain.pem'], { cwd: dir }), /chain.pem: OK/);
    assert.equal(svid.bundlePem, t.rootPem());
    const records = await t.cp.store.listIssuedCertificates({ spiffeId: svid.spiffeId });
    assert.ok(records.some((r) => r.serial === svid.serial), 'the issuance is recorded');
  });

  it('attack: refuses a CSR whose URI SAN names another identity, and issues nothing for it', async () => {
    const { token } = await t.token('payments', 'forger');
    const csr = opensslCsr('ec-p256', { uri: 'spiffe://cluster.local/ns/kube-system/sa/admin' });
    await assert.rejects(t.client().sign({ csrPem: pemOf(csr.der), attestation: { type: 'join', token } }), { code: 'MG_CSR_SAN_MISMATCH' });
    assert.equal((await t.cp.store.listIssuedCertificates({ spiffeId: 'spiffe://cluster.local/ns/kube-system/sa/admin' })).length, 0);
    assert.equal((await t.cp.store.listIssuedCertificates({ spiffeId: 'spiffe://cluster.local/ns/payments/sa/forger' })).length, 0);
  });

  it('attack: refuses a replayed join token', async () => {
    const { token } = await firstContact('orders', 'api');
    await assert.rejects(t.client().sign({ csrPem: pemOf(opensslCsr('ec-p256').der), attestation: { type: 'join', token } }), { code: 'MG_ATTEST_TOKEN_USED' });
  });

  it('attack: refuses an expired token', async () => {
    const { token } = await t.token('orders', 'late', 'join', 60);
    t.clock.advance(120_000);
    try {
      await assert.rejects(t.client().sign({ csrPem: pemOf(opensslCsr('ec-p256').der), attestation: { type: 'join', token } }), { code: 'MG_ATTEST_TOKEN_EXPIRED' });
    } finally {
      t.clock.advance(-120_000);
    }
  });

  it('attack: refuses a token presented for another identity', async () => {
    const { token } = await t.token('orders', 'api');
    await assert.rejects(
      t.client().sign({ csrPem: pemOf(opensslCsr('ec-p256').der), attestation: { type: 'join', token, namespace: 'kube-system', serviceAccount: 'admin' } }),
      { code: 'MG_ATTEST_IDENTITY_MISMATCH' });
  });

  it('attack: refuses an oversized CSR before parsing it, without burning the token', async () => {
    const { token } = await t.token('orders', 'big');
    const huge = Buffer.alloc(70 * 1024, 0x30).toString('base64');
    await assert.rejects(t.client().sign({ csrDer: huge, attestation: { type: 'join', token } }), { code: 'MG_CSR_TOO_LARGE' });
    const ok = await t.client().sign({ csrDer: opensslCsr('ec-p256').der.toString('base64'), attestation: { type: 'join', token } });
    assert.equal(ok.spiffeId, 'spiffe://cluster.local/ns/orders/sa/big');
  });

  it('refuses requests of the wrong shape with MG_CA_BAD_REQUEST', async () => {
    const { token } = await t.token('orders', 'shape');
    const der = opensslCsr('ec-p256').der;
    await assert.rejects(t.client().sign({ csrPem: pemOf(der), csrDer: der.toString('base64'), attestation: { type: 'join', token } }), { code: 'MG_CA_BAD_REQUEST' });
    await assert.rejects(t.client().sign({ csrPem: pemOf(der), attestation: { type: 'join', token }, spiffeId: 'spiffe://x/y' } as never), { code: 'MG_CA_BAD_REQUEST' });
  });

  it('logs each refusal with its code and never the token', async () => {
    const { token } = await t.token('orders', 'logged');
    await firstContactWith(token);
    await assert.rejects(firstContactWith(token), { code: 'MG_ATTEST_TOKEN_USED' });
    const line = t.logs().split('\n').find((l) => l.includes('MG_ATTEST_TOKEN_USED'));
    assert.ok(line, 'the refusal is logged');
    assert.match(line, /"attestor":"join"/);
    assert.ok(!t.logs().includes(token), 'the token never appears in the log');
  });
});

function firstContactWith(token: string) {
  return t.client().sign({ csrPem: pemOf(opensslCsr('ec-p256').der), attestation: { type: 'join', token } });
}

describe('CA API: Renew and MintJwtSvid (mTLS with the current SVID)', () => {
  it('renews over mTLS for the same identity, with a new key', async () => {
    const { svid, keyPem } = await firstContact('shop', 'cart');
    const csr = opensslCsr('ec-p256');
    const renewed = await t.client({ identity: { chainPem: svid.chainPem, keyPem } }).renew({ csrPem: pemOf(csr.der) });
    assert.equal(renewed.spiffeId, 'spiffe://cluster.local/ns/shop/sa/cart');
    assert.notEqual(renewed.serial, svid.serial);
  });

  it('refuses renewal without a client certificate', async () => {
    await assert.rejects(t.client().renew({ csrPem: pemOf(opensslCsr('ec-p256').der) }), { code: 'MG_CA_MTLS_REQUIRED' });
  });

  it('attack: refuses renewal with a certificate from another trust domain', async () => {
    const other = await createRootCa({ trustDomain: parseTrustDomain('evil.example'), keyStore: memoryKeyStore(generateCaPrivateKey()), now: () => new Date() });
    const foreign = await mintControlPlaneSvid(other, { hosts: [], now: new Date() });
    const c = t.client({ identity: { chainPem: foreign.chainPem + toPem([other.certificate]), keyPem: foreign.keyPem } });
    await assert.rejects(c.renew({ csrPem: pemOf(opensslCsr('ec-p256').der) }), { code: 'MG_CA_MTLS_REQUIRED' });
  });

  it('refuses renewal once the token that attested it is revoked', async () => {
    const { svid, keyPem, tokenId } = await firstContact('shop', 'revoked');
    await t.cp.tokens.revoke(tokenId);
    const c = t.client({ identity: { chainPem: svid.chainPem, keyPem } });
    await assert.rejects(c.renew({ csrPem: pemOf(opensslCsr('ec-p256').der) }), { code: 'MG_RENEWAL_TOKEN_REVOKED' });
    await assert.rejects(c.mintJwtSvid({ audience: ['billing'] }), { code: 'MG_RENEWAL_TOKEN_REVOKED' });
  });

  it('refuses renewal once the registration entry that named it is deleted', async () => {
    const { token, id } = await t.token('shop', 'entry');
    const entry = await t.cp.entries.create({ spiffeId: 'spiffe://cluster.local/shop/entry-v2', selectors: [`meshguard:token:${id}`] });
    const csr = opensslCsr('ec-p256');
    const svid = await t.client().sign({ csrPem: pemOf(csr.der), attestation: { type: 'join', token } });
    assert.equal(svid.spiffeId, 'spiffe://cluster.local/shop/entry-v2');
    await t.cp.entries.delete(entry.id);
    await assert.rejects(t.client({ identity: { chainPem: svid.chainPem, keyPem: csr.keyPem } }).renew({ csrPem: pemOf(opensslCsr('ec-p256').der) }), { code: 'MG_RENEWAL_ENTRY_DELETED' });
  });

  it('mints a JWT-SVID for the peer identity that validates against the bundle keys', async () => {
    const { svid, keyPem } = await firstContact('shop', 'jwt');
    const jwt = await t.client({ identity: { chainPem: svid.chainPem, keyPem } }).mintJwtSvid({ audience: ['billing'] });
    const bundle = parseBundleDocument((await t.client().fetchBundle()).bundleJson);
    const claims = await validateJwtSvid(jwt.token, { audience: 'billing', keys: jwtKeySet(bundle), trustDomain: parseTrustDomain('cluster.local'), now: () => new Date() });
    assert.equal(claims.spiffeId, 'spiffe://cluster.local/ns/shop/sa/jwt');
    await assert.rejects(t.client({ identity: { chainPem: svid.chainPem, keyPem } }).mintJwtSvid({ audience: [] }), { code: 'MG_CA_BAD_REQUEST' });
  });
});
