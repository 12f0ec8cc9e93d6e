import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { x509 } from '../../../src/identity/x509-provider.js';
import { startCryptoWorkers } from '../../../src/identity/ca/crypto-workers.js';
import { createSvidIssuer } from '../../../src/identity/ca/issue.js';
import { isBuiltinKeyStore, keyForSigningWorker, type CaKeyStore } from '../../../src/identity/ca/key-store.js';
import { toPem } from '../../../src/identity/ca/certificate.js';
import { parseAndVerifyCsrWith } from '../../../src/identity/ca/csr.js';
import { CsrRefusedError } from '../../../src/identity/errors.js';
import { workloadId } from '../../../src/identity/spiffe-id.js';
import { TD, openssl, opensslCsr, tempDir, testCa } from '../support.js';

const WEB = workloadId(TD, 'default', 'web');
const workers = startCryptoWorkers(2);
after(() => workers.close());

async function offloadedIssuer() {
  const ca = await testCa();
  const issuer = await createSvidIssuer({ ca: { ...ca, keyStore: workers.offload(ca.keyStore) }, verifyCsr: workers.verifyCsr, now: () => new Date() });
  return { ca, issuer };
}

/** `refused(promise, code, reason?)`: it rejects with a CsrRefusedError of that code (and reason). */
async function refused(p: Promise<unknown>, code: string, reason?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof CsrRefusedError, `expected CsrRefusedError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (reason !== undefined) assert.equal(e.reason, reason);
    return true;
  });
}

test('certificates signed on the workers verify with @peculiar/x509 and OpenSSL against the CA', async () => {
  const { ca, issuer } = await offloadedIssuer();
  for (const kind of ['ec-p256', 'ec-p384', 'rsa-2048'] as const) {
    const svid = await issuer.issue({ csrDer: opensslCsr(kind).der, spiffeId: WEB });
    const cert = new x509.X509Certificate(svid.certDer);
    const root = new x509.X509Certificate(ca.certificate);
    assert.equal(await cert.verify({ publicKey: root.publicKey, signatureOnly: true }), true, kind);
    const dir = tempDir();
    writeFileSync(join(dir, 'root.pem'), toPem([ca.certificate]));
    writeFileSync(join(dir, 'leaf.pem'), toPem([svid.certDer]));
    assert.match(openssl(['verify', '-x509_strict', '-CAfile', 'root.pem', 'leaf.pem'], { cwd: dir }), /leaf\.pem: OK/);
  }
});

test('many concurrent issuances over two workers all come back signed, with distinct serials', async () => {
  const { ca, issuer } = await offloadedIssuer();
  const csr = opensslCsr('ec-p256').der;
  const svids = await Promise.all(Array.from({ length: 40 }, () => issuer.issue({ csrDer: csr, spiffeId: WEB })));
  const root = new x509.X509Certificate(ca.certificate);
  for (const s of svids) assert.equal(await new x509.X509Certificate(s.certDer).verify({ publicKey: root.publicKey, signatureOnly: true }), true);
  assert.equal(new Set(svids.map((s) => s.serial)).size, 40);
});

test('a CSR whose signature does not verify is refused by the workers with MG_CSR_BAD_SIGNATURE', async () => {
  const { issuer } = await offloadedIssuer();
  const der = Buffer.from(opensslCsr('ec-p256', { dns: 'evil.example' }).der);
  const at = der.indexOf(Buffer.from('evil'));
  der[at] = der[at]! ^ 0x01;
  await refused(issuer.issue({ csrDer: der, spiffeId: WEB }), 'MG_CSR_BAD_SIGNATURE', 'bad-signature');
});

test('a CSR whose EC point is not on the curve is refused as malformed (bad-public-key), as on the main thread', async () => {
  const der = Buffer.from(opensslCsr('ec-p256').der);
  // BIT STRING of 66 bytes, no unused bits, uncompressed point: flip the last byte of y.
  const point = der.indexOf(Buffer.from([0x03, 0x42, 0x00, 0x04]));
  assert.ok(point > 0);
  der[point + 3 + 64] = der[point + 3 + 64]! ^ 0x01;
  await refused(parseAndVerifyCsrWith(der, workers.verifyCsr), 'MG_CSR_MALFORMED', 'bad-public-key');
});

test('malformed DER is refused before anything is posted to a worker', async () => {
  let posted = 0;
  const verify = async () => { posted++; return 'ok' as const; };
  await refused(parseAndVerifyCsrWith(Buffer.from([0x30, 0x03, 0x02, 0x01]), verify), 'MG_CSR_MALFORMED');
  assert.equal(posted, 0);
});

test('a key store that is not built in is never offloaded: its key stays where it is', async () => {
  const ca = await testCa();
  const kms: CaKeyStore = { algorithm: ca.keyStore.algorithm, publicKey: ca.keyStore.publicKey, sign: (d) => ca.keyStore.sign(d) };
  assert.equal(keyForSigningWorker(kms), undefined);
  assert.equal(workers.offload(kms), kms);
  const offloaded = workers.offload(ca.keyStore);
  assert.notEqual(offloaded, ca.keyStore);
  assert.equal(isBuiltinKeyStore(offloaded), true);
  // An offloaded store hands out no key either.
  assert.equal(keyForSigningWorker(offloaded), undefined);
});

test('after close, calls under way reject and the next call starts the workers again', async () => {
  const own = startCryptoWorkers(1);
  const ca = await testCa();
  const store = own.offload(ca.keyStore);
  assert.ok((await store.sign(Buffer.from('warm'))).length > 0);
  const underWay = assert.rejects(Promise.resolve(store.sign(Buffer.alloc(64, 1))), /CA crypto workers closed/);
  await own.close();
  await underWay;
  const again = await store.sign(Buffer.from('again'));
  assert.ok(again.length > 0);
  await own.close();
});

test('idle workers do not keep the process alive: a script that signed once and never closed them exits', () => {
  const src = (f: string) => JSON.stringify(fileURLToPath(new URL(`../../../src/identity/ca/${f}`, import.meta.url)));
  const script = `import { startCryptoWorkers } from ${src('crypto-workers.ts')};
    import { generateCaPrivateKey, memoryKeyStore } from ${src('key-store.ts')};
    const store = startCryptoWorkers(1).offload(memoryKeyStore(generateCaPrivateKey()));
    if (!((await store.sign(Buffer.from('x'))).length > 0)) process.exit(3);`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 15_000, encoding: 'utf8' });
  assert.equal(run.signal, null, 'it had to be killed');
  assert.equal(run.status, 0, run.stderr);
});
