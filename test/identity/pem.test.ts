import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { certificatesFromPem, toPem } from '../../src/identity/pem.js';
import { certificatesFromPem as viaCaModule } from '../../src/identity/ca/certificate.js';
import { testCa } from './support.js';

test('toPem and certificatesFromPem give back the same certificates, in order', async () => {
  const ca = await testCa();
  const root = ca.certificate;
  const pem = toPem([root, root]);
  assert.match(pem, /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n-----BEGIN/);
  const back = certificatesFromPem(pem);
  assert.equal(back.length, 2);
  assert.deepEqual(back[0], Buffer.from(root));
  assert.equal(new X509Certificate(back[1]!).fingerprint256, new X509Certificate(root).fingerprint256);
});

test('certificatesFromPem skips keys and other blocks and reads CRLF text', async () => {
  const ca = await testCa();
  const withKey = `-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n${toPem([ca.certificate])}`.replace(/\n/g, '\r\n');
  const back = certificatesFromPem(withKey);
  assert.equal(back.length, 1);
  assert.deepEqual(back[0], Buffer.from(ca.certificate));
  assert.deepEqual(certificatesFromPem('no pem here'), []);
});

test('the CA module re-exports the same functions, so its callers keep working', () => {
  assert.equal(viaCaModule, certificatesFromPem);
});
