import { test } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { copyFileSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { x509 } from '../../../src/identity/x509-provider.js';
import { createSvidIssuer, CSR_REFUSED_CHANNEL, SVID_ISSUED_CHANNEL } from '../../../src/identity/ca/issue.js';
import { createRootCa } from '../../../src/identity/ca/create-root.js';
import { loadPluggedCa } from '../../../src/identity/ca/load-ca-files.js';
import { createKeyFileStore } from '../../../src/identity/ca/key-file.js';
import { generateCaPrivateKey, memoryKeyStore, type CaKeyStore } from '../../../src/identity/ca/key-store.js';
import { toPem } from '../../../src/identity/ca/certificate.js';
import { parseSpiffeId, workloadId } from '../../../src/identity/spiffe-id.js';
import { NOW, TD, openssl, opensslCsr, opensslIstioCacerts, tempDir, testCa, type CsrKeyKind } from '../support.js';

const WEB = workloadId(TD, 'default', 'web');
const realNow = () => new Date();

/** Writes root, chain and leaf PEMs and runs `openssl verify`; returns its output. */
function opensslVerify(rootPem: string, chainPem: string): string {
  const dir = tempDir();
  const [leaf, ...rest] = chainPem.split(/(?<=-----END CERTIFICATE-----\n)/);
  writeFileSync(join(dir, 'root-cert.pem'), rootPem);
  writeFileSync(join(dir, 'leaf.pem'), leaf!);
  const args = ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', 'root-cert.pem'];
  if (rest.length) {
    writeFileSync(join(dir, 'cert-chain.pem'), rest.join(''));
    args.push('-untrusted', 'cert-chain.pem');
  }
  return openssl([...args, 'leaf.pem'], { cwd: dir });
}

function opensslText(pem: string): string {
  return openssl(['x509', '-text', '-noout'], { input: pem });
}

/** Field-by-field check with @peculiar/x509 of a certificate the template path made. */
async function assertLeafFields(certDer: Buffer, want: { id: string; spki: Buffer; issuerDer: Buffer; notBefore: Date; notAfter: Date; rsa: boolean }): Promise<void> {
  const cert = new x509.X509Certificate(certDer);
  const issuer = new x509.X509Certificate(want.issuerDer);
  assert.equal(cert.subject, '');
  assert.equal(cert.issuer, issuer.subject);
  assert.ok(cert.serialNumber.length >= 16, 'serial of at least 64 bits');
  assert.equal(cert.notBefore.getTime(), want.notBefore.getTime());
  assert.equal(cert.notAfter.getTime(), want.notAfter.getTime());
  assert.ok(Buffer.from(cert.publicKey.rawData).equals(want.spki));
  const bc = cert.getExtension(x509.BasicConstraintsExtension)!;
  assert.equal(bc.ca, false);
  assert.equal(bc.critical, true);
  const ku = cert.getExtension(x509.KeyUsagesExtension)!;
  const wantKu = x509.KeyUsageFlags.digitalSignature | (want.rsa ? x509.KeyUsageFlags.keyEncipherment : 0);
  assert.equal(ku.usages, wantKu);
  assert.deepEqual([...cert.getExtension(x509.ExtendedKeyUsageExtension)!.usages], [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension)!;
  assert.equal(san.critical, true);
  assert.deepEqual(san.names.toJSON(), [{ type: 'url', value: want.id }]);
  const ski = issuer.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) assert.equal(cert.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId, ski.keyId);
  assert.equal(await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true }), true);
}

const cases: Array<{ kind: CsrKeyKind; uri?: string }> = [
  { kind: 'ec-p256' },
  { kind: 'ec-p256', uri: WEB },
  { kind: 'rsa-2048' },
  { kind: 'rsa-2048', uri: WEB },
  { kind: 'ec-p384', uri: WEB },
];

for (const c of cases) {
  test(`signs an openssl ${c.kind} CSR ${c.uri ? 'with' : 'without'} a SAN; openssl verifies it and @peculiar/x509 reads every field`, async () => {
    const ca = await testCa();
    const issuer = await createSvidIssuer({ ca, now: realNow });
    const { der } = opensslCsr(c.kind, c.uri ? { uri: c.uri } : {});
    const before = Date.now();
    const svid = await issuer.issue({ csrDer: der, spiffeId: WEB });
    assert.match(opensslVerify(toPem(ca.roots), svid.chainPem), /leaf\.pem: OK/);
    const text = opensslText(svid.chainPem);
    assert.match(text, /URI:spiffe:\/\/cluster\.local\/ns\/default\/sa\/web/);
    assert.match(text, /X509v3 Key Usage: critical\n\s+Digital Signature/);
    assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);
    assert.match(text, /CA:FALSE/);
    assert.doesNotMatch(text, /evil|attacker/, 'the CSR subject is ignored');
    // Backdated by one minute, lives 24 h, both to the second.
    assert.ok(svid.notBefore.getTime() <= before - 59_000 && svid.notBefore.getTime() >= before - 61_000);
    assert.equal(svid.notAfter.getTime() - svid.notBefore.getTime() >= 24 * 3600e3, true);
    const spki = Buffer.from(new x509.Pkcs10CertificateRequest(der).publicKey.rawData);
    await assertLeafFields(svid.certDer, { id: WEB, spki, issuerDer: ca.certificate, notBefore: svid.notBefore, notAfter: svid.notAfter, rsa: c.kind.startsWith('rsa') });
  });
}

test('signs with a P-384 and an RSA CA too (SHA-384 / SHA-256 signatures), verified by openssl', async () => {
  for (const algorithm of ['ec-p384', 'rsa-2048'] as const) {
    const ca = await testCa('cluster.local', algorithm);
    const issuer = await createSvidIssuer({ ca, now: realNow });
    const svid = await issuer.issue({ csrDer: opensslCsr('ec-p256').der, spiffeId: WEB });
    assert.match(opensslVerify(toPem(ca.roots), svid.chainPem), /OK/);
    assert.match(opensslText(svid.chainPem), algorithm === 'ec-p384' ? /ecdsa-with-SHA384/ : /sha256WithRSAEncryption/);
  }
});

test('signs with an Istio cacerts intermediate and returns the chain openssl verifies with -untrusted cert-chain.pem', async () => {
  const dir = opensslIstioCacerts();
  const ca = loadPluggedCa(dir, TD);
  assert.equal(ca.intermediates.length, 0, 'cert-chain.pem holds only the signing cert and the root');
  const svid = await (await createSvidIssuer({ ca, now: realNow })).issue({ csrDer: opensslCsr('ec-p256').der, spiffeId: WEB });
  assert.equal(svid.chainDer.length, 2, 'leaf + intermediate, no root');
  writeFileSync(join(dir, 'leaf.pem'), toPem([svid.certDer]));
  const out = openssl(['verify', '-CAfile', 'root-cert.pem', '-untrusted', 'cert-chain.pem', 'leaf.pem'], { cwd: dir });
  assert.match(out, /leaf\.pem: OK/);
  assert.match(opensslVerify(readFileSync(join(dir, 'root-cert.pem'), 'utf8'), svid.chainPem), /OK/);
});

test('signs with a cert-manager CA secret (tls.crt, tls.key, ca.crt)', async () => {
  const istio = opensslIstioCacerts();
  const dir = tempDir();
  copyFileSync(join(istio, 'cert-chain.pem'), join(dir, 'tls.crt'));
  copyFileSync(join(istio, 'ca-key.pem'), join(dir, 'tls.key'));
  copyFileSync(join(istio, 'root-cert.pem'), join(dir, 'ca.crt'));
  const ca = loadPluggedCa(dir, TD);
  const svid = await (await createSvidIssuer({ ca, now: realNow })).issue({ csrDer: opensslCsr('rsa-2048').der, spiffeId: WEB });
  assert.match(opensslVerify(readFileSync(join(dir, 'ca.crt'), 'utf8'), svid.chainPem), /OK/);
});

test('refuses a CSR whose URI SAN names another identity, issues nothing and reports the refusal', async () => {
  const issuer = await createSvidIssuer({ ca: await testCa(), now: realNow });
  const issued: unknown[] = [];
  const refused: Array<{ code: string; spiffeId: string }> = [];
  const onIssued = (m: unknown) => issued.push(m);
  const onRefused = (m: unknown) => refused.push(m as { code: string; spiffeId: string });
  diagnostics.subscribe(SVID_ISSUED_CHANNEL, onIssued);
  diagnostics.subscribe(CSR_REFUSED_CHANNEL, onRefused);
  try {
    const forged = opensslCsr('ec-p256', { uri: 'spiffe://cluster.local/ns/kube-system/sa/admin' });
    await assert.rejects(issuer.issue({ csrDer: forged.der, spiffeId: WEB }), { code: 'MG_CSR_SAN_MISMATCH' });
    const otherDomain = opensslCsr('ec-p256', { uri: 'spiffe://evil.example/ns/default/sa/web' });
    await assert.rejects(issuer.issue({ csrDer: otherDomain.der, spiffeId: WEB }), { code: 'MG_CSR_SAN_MISMATCH' });
    assert.deepEqual(issued, []);
    assert.deepEqual(refused.map((r) => [r.code, r.spiffeId]), [['MG_CSR_SAN_MISMATCH', WEB], ['MG_CSR_SAN_MISMATCH', WEB]]);
  } finally {
    diagnostics.unsubscribe(SVID_ISSUED_CHANNEL, onIssued);
    diagnostics.unsubscribe(CSR_REFUSED_CHANNEL, onRefused);
  }
});

test('refuses to issue an ID of another trust domain even when attested', async () => {
  const issuer = await createSvidIssuer({ ca: await testCa(), now: realNow });
  const id = parseSpiffeId('spiffe://evil.example/ns/default/sa/web');
  await assert.rejects(issuer.issue({ csrDer: opensslCsr('ec-p256').der, spiffeId: id }), { code: 'MG_SPIFFE_ID_INVALID', reason: 'foreign-trust-domain' });
});

test('refuses weak, malformed and oversized CSRs with their codes', async () => {
  const issuer = await createSvidIssuer({ ca: await testCa(), now: realNow });
  await assert.rejects(issuer.issue({ csrDer: opensslCsr('rsa-1024').der, spiffeId: WEB }), { code: 'MG_CSR_WEAK_KEY' });
  await assert.rejects(issuer.issue({ csrDer: Buffer.alloc(70_000, 0x30), spiffeId: WEB }), { code: 'MG_CSR_TOO_LARGE' });
  await assert.rejects(issuer.issue({ csrDer: Buffer.from([0x30, 0x03, 0x02, 0x01]), spiffeId: WEB }), { code: 'MG_CSR_MALFORMED' });
});

test('caps the lifetime at the maximum and at the CA notAfter, and never backdates before the CA', async () => {
  const keyStore = memoryKeyStore(generateCaPrivateKey());
  const caStart = new Date(NOW.getTime() - 30_000);
  const ca = await createRootCa({ trustDomain: TD, keyStore, now: () => new Date(caStart.getTime() + 5 * 60_000), ttlMs: 2 * 3600e3 });
  const issuer = await createSvidIssuer({ ca, now: () => NOW, maxTtlMs: 3600e3 });
  const csrDer = opensslCsr('ec-p256').der;
  const capped = await issuer.issue({ csrDer, spiffeId: WEB, ttlMs: 30 * 24 * 3600e3 });
  assert.equal(capped.notAfter.getTime(), NOW.getTime() + 3600e3);
  assert.equal(capped.notBefore.getTime(), ca.notBefore.getTime(), 'backdating stops at the CA notBefore');
  const late = await createSvidIssuer({ ca, now: () => new Date(ca.notAfter.getTime() - 600_000) });
  const short = await late.issue({ csrDer, spiffeId: WEB });
  assert.equal(short.notAfter.getTime(), ca.notAfter.getTime());
  const expired = await createSvidIssuer({ ca, now: () => new Date(ca.notAfter.getTime() + 1000) });
  await assert.rejects(expired.issue({ csrDer, spiffeId: WEB }), { code: 'MG_CA_NOT_VALID_NOW' });
});

test('never returns a certificate whose signature the key store botched', async () => {
  const ca = await testCa();
  const broken: CaKeyStore = { algorithm: ca.keyStore.algorithm, publicKey: ca.keyStore.publicKey, sign: (d) => memoryKeyStore(generateCaPrivateKey()).sign(d) };
  const issuer = await createSvidIssuer({ ca: { ...ca, keyStore: broken }, now: realNow });
  await assert.rejects(issuer.issue({ csrDer: opensslCsr('ec-p256').der, spiffeId: WEB }), { code: 'MG_SVID_INVALID', reason: 'signature' });
});

test('gives every certificate a distinct random serial of 128 bits', async () => {
  const issuer = await createSvidIssuer({ ca: await testCa(), now: realNow });
  const csrDer = opensslCsr('ec-p256').der;
  const serials = new Set<string>();
  for (let i = 0; i < 50; i++) serials.add((await issuer.issue({ csrDer, spiffeId: WEB })).serial);
  assert.equal(serials.size, 50);
  for (const s of serials) assert.equal(s.length, 32);
});

test('takes the root from a self-signed cert-manager tls.crt when ca.crt is absent', async () => {
  const dir = tempDir();
  const keyStore = createKeyFileStore(join(dir, 'tls.key'));
  const root = await createRootCa({ trustDomain: TD, keyStore, now: realNow });
  writeFileSync(join(dir, 'tls.crt'), toPem([root.certificate]));
  const ca = loadPluggedCa(dir, TD);
  assert.equal(ca.roots.length, 1);
  assert.ok(ca.roots[0]!.equals(root.certificate));
  const svid = await (await createSvidIssuer({ ca, now: realNow })).issue({ csrDer: opensslCsr('ec-p256').der, spiffeId: WEB });
  assert.equal(svid.chainDer.length, 1, 'a root-signed leaf travels alone');
  assert.match(opensslVerify(toPem(ca.roots), svid.chainPem), /OK/);
});
