import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { x509 } from '../../../src/identity/x509-provider.js';
import { startCryptoWorkers } from '../../../src/identity/ca/crypto-workers.js';
import { createSvidIssuer, type SvidRequest } from '../../../src/identity/ca/issue.js';
import { type CaKeyStore } from '../../../src/identity/ca/key-store.js';
import { toPem } from '../../../src/identity/ca/certificate.js';
import { readCsrForVerification } from '../../../src/identity/ca/csr.js';
import { noteImportedKey, SWEEP_EVERY } from '../../../src/identity/ca/key-sweeper.js';
import { CsrRefusedError } from '../../../src/identity/errors.js';
import { workloadId } from '../../../src/identity/spiffe-id.js';
import { TD, openssl, opensslCsr, tempDir, testCa } from '../support.js';

const WEB = workloadId(TD, 'default', 'web');
const workers = startCryptoWorkers(1);
after(() => workers.close());

/** An issuer whose CSR check and leaf signature go to the worker in one message, counting the messages. */
async function oneMessageIssuer() {
  const ca = await testCa();
  const combined = workers.verifyCsrThenSign(ca.keyStore)!;
  let messages = 0;
  const issuer = await createSvidIssuer({
    ca, now: () => new Date(),
    verifyCsrThenSign: (csr, tbs) => { messages++; return combined(csr, tbs); },
    // Neither of these may be used when the combined step is given.
    verifyCsr: () => { throw new Error('verifyCsr called'); },
  });
  return { ca, issuer, messages: () => messages };
}

async function refused(p: Promise<unknown>, code: string, reason: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof CsrRefusedError, `expected CsrRefusedError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.reason, reason);
    return true;
  });
}

test('one worker message per issuance yields certificates that @peculiar/x509 and OpenSSL verify against the CA', async () => {
  const { ca, issuer, messages } = await oneMessageIssuer();
  const root = new x509.X509Certificate(ca.certificate);
  const dir = tempDir();
  writeFileSync(join(dir, 'root.pem'), toPem([ca.certificate]));
  for (const kind of ['ec-p256', 'ec-p384', 'rsa-2048'] as const) {
    const svid = await issuer.issue({ csrDer: opensslCsr(kind).der, spiffeId: WEB });
    assert.equal(await new x509.X509Certificate(svid.certDer).verify({ publicKey: root.publicKey, signatureOnly: true }), true, kind);
    writeFileSync(join(dir, 'leaf.pem'), toPem([svid.certDer]));
    assert.match(openssl(['verify', '-x509_strict', '-CAfile', 'root.pem', 'leaf.pem'], { cwd: dir }), /leaf\.pem: OK/);
  }
  assert.equal(messages(), 3);
});

test('a tampered CSR is refused with MG_CSR_BAD_SIGNATURE and nothing signed comes back', async () => {
  const { issuer } = await oneMessageIssuer();
  const der = Buffer.from(opensslCsr('ec-p256', { dns: 'evil.example' }).der);
  const at = der.indexOf(Buffer.from('evil'));
  der[at] = der[at]! ^ 0x01;
  await refused(issuer.issue({ csrDer: der, spiffeId: WEB }), 'MG_CSR_BAD_SIGNATURE', 'bad-signature');
});

test('a CSR whose EC point is off the curve is refused as malformed (bad-public-key)', async () => {
  const { issuer } = await oneMessageIssuer();
  const der = Buffer.from(opensslCsr('ec-p256').der);
  const point = der.indexOf(Buffer.from([0x03, 0x42, 0x00, 0x04]));
  der[point + 3 + 64] = der[point + 3 + 64]! ^ 0x01;
  await refused(issuer.issue({ csrDer: der, spiffeId: WEB }), 'MG_CSR_MALFORMED', 'bad-public-key');
});

test('a CSR naming another SPIFFE ID is refused with MG_CSR_SAN_MISMATCH on the one-message path too', async () => {
  const { issuer } = await oneMessageIssuer();
  const csr = opensslCsr('ec-p256', { uri: workloadId(TD, 'default', 'admin') }).der;
  await refused(issuer.issue({ csrDer: csr, spiffeId: WEB }), 'MG_CSR_SAN_MISMATCH', 'uri-san-mismatch');
});

test('malformed DER is refused before any message goes to the worker', async () => {
  const { issuer, messages } = await oneMessageIssuer();
  await assert.rejects(issuer.issue({ csrDer: Buffer.from([0x30, 0x03, 0x02, 0x01]), spiffeId: WEB }), { code: 'MG_CSR_MALFORMED' });
  assert.equal(messages(), 0);
});

test('the one-message step exists only for a built-in key store: a plugged-in key never goes to a worker', async () => {
  const ca = await testCa();
  const kms: CaKeyStore = { algorithm: ca.keyStore.algorithm, publicKey: ca.keyStore.publicKey, sign: (d) => ca.keyStore.sign(d) };
  assert.equal(workers.verifyCsrThenSign(kms), undefined);
  assert.equal(typeof workers.verifyCsrThenSign(ca.keyStore), 'function');
});

test('the issuer stamps when the crypto left for the worker and came back, in order', async () => {
  const { issuer } = await oneMessageIssuer();
  const stamps: NonNullable<SvidRequest['stamps']> = {};
  const before = performance.timeOrigin + performance.now();
  await issuer.issue({ csrDer: opensslCsr('ec-p256').der, spiffeId: WEB, stamps });
  const afterIssue = performance.timeOrigin + performance.now();
  assert.ok(stamps.workerPost !== undefined && stamps.workerDone !== undefined);
  assert.ok(before <= stamps.workerPost && stamps.workerPost <= stamps.workerDone && stamps.workerDone <= afterIssue);
});

test('the worker collects dead CSR keys itself once SWEEP_EVERY are dead, not before', async () => {
  const own = startCryptoWorkers(1);
  try {
    const { signature } = readCsrForVerification(opensslCsr('ec-p256').der);
    for (let i = 0; i < SWEEP_EVERY - 1; i++) assert.equal(await own.verifyCsr(signature), 'ok');
    assert.equal(await own.sweepCount(), 0, 'a sweep before it was due');
    assert.equal(await own.verifyCsr(signature), 'ok');
    // A sweep runs once the worker's queue is drained: on a busy machine, give it a few turns (bounded).
    let sweeps = await own.sweepCount();
    for (let i = 0; i < 50 && sweeps < 1; i++) {
      await new Promise((r) => setTimeout(r, 10));
      sweeps = await own.sweepCount();
    }
    assert.equal(sweeps, 1);
  } finally {
    await own.close();
  }
});

test('on the main thread, SWEEP_EVERY imported keys lead to one young-generation GC at the next check phase', async () => {
  const minor: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) minor.push(e.startTime);
  });
  obs.observe({ entryTypes: ['gc'] });
  try {
    const start = performance.now();
    for (let i = 0; i < SWEEP_EVERY; i++) noteImportedKey();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 50)); // gc entries are delivered asynchronously
    assert.ok(minor.some((t) => t >= start), 'no minor GC after the sweep was due');
  } finally {
    obs.disconnect();
  }
});
