import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { generateWorkloadKey } from '../../../src/proxy/identity/workload-key.js';
import { parseAndVerifyCsr } from '../../../src/identity/ca/csr.js';

test('a workload key is P-256, its PEM, PKCS#8 DER and SPKI belong together, and its CSR carries it', async () => {
  const k = await generateWorkloadKey();
  const fromPem = createPrivateKey(k.keyPem);
  assert.equal(fromPem.asymmetricKeyType, 'ec');
  assert.equal(fromPem.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  assert.match(k.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  assert.deepEqual(createPrivateKey({ key: k.pkcs8Der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'der' }), k.pkcs8Der);
  assert.deepEqual(createPublicKey(fromPem).export({ type: 'spki', format: 'der' }), k.spkiDer);
  const csr = parseAndVerifyCsr(k.csrDer);
  assert.equal(csr.keyKind, 'ec-p256');
  assert.deepEqual(csr.spki, k.spkiDer);
  // The key signs what the SPKI verifies: the pair is one pair.
  const sig = sign('sha256', Buffer.from('x'), fromPem);
  assert.ok(verify('sha256', Buffer.from('x'), createPublicKey({ key: k.spkiDer, format: 'der', type: 'spki' }), sig));
});

test('every call makes a fresh key (a renewal never reuses one)', async () => {
  const [a, b] = await Promise.all([generateWorkloadKey(), generateWorkloadKey()]);
  assert.notDeepEqual(a.spkiDer, b.spkiDer);
  assert.notDeepEqual(a.pkcs8Der, b.pkcs8Der);
});
