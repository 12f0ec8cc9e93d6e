import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { x509 } from '../../../src/identity/x509-provider.js';
import { validateX509Svid } from '../../../src/identity/ca/validate.js';
import { workloadId } from '../../../src/identity/spiffe-id.js';
import { NOW, TD, testCa } from '../support.js';

const WEB = workloadId(TD, 'default', 'web');
const HOUR = 3600e3;

interface LeafOptions {
  ca?: boolean;
  usages?: number;
  eku?: string[];
  names?: Array<{ type: 'url' | 'dns'; value: string }>;
  notBefore?: Date;
  notAfter?: Date;
  issuer?: string;
}

/** A leaf built by @peculiar/x509 with one rule bent, issued under the test CA's name. */
async function leaf(o: LeafOptions = {}): Promise<Buffer> {
  const ca = new x509.X509Certificate(Buffer.from((await testCa()).certificate));
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: '0102030405060708090a',
    subject: '',
    issuer: o.issuer ?? ca.subjectName,
    notBefore: o.notBefore ?? new Date(NOW.getTime() - 60_000),
    notAfter: o.notAfter ?? new Date(NOW.getTime() + HOUR),
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(o.ca ?? false, undefined, true),
      new x509.KeyUsagesExtension(o.usages ?? x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(o.eku ?? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(o.names ?? [{ type: 'url', value: WEB }], true),
    ],
  });
  return Buffer.from(cert.rawData);
}

async function check(der: Buffer, reason: string | undefined): Promise<void> {
  const ca = await testCa();
  const run = () => validateX509Svid(der, { spiffeId: WEB, issuerName: ca.subjectName, issuerNotAfter: ca.notAfter, now: NOW });
  if (reason === undefined) run();
  else assert.throws(run, { code: 'MG_SVID_INVALID', reason });
}

test('accepts a leaf built by @peculiar/x509 that follows the X.509-SVID rules', async () => {
  await check(await leaf(), undefined);
});

test('refuses each broken rule with its reason', async () => {
  const ca = await testCa();
  await check(await leaf({ ca: true }), 'ca-flag');
  await check(await leaf({ usages: x509.KeyUsageFlags.keyEncipherment }), 'key-usage');
  await check(await leaf({ usages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign }), 'key-usage');
  await check(await leaf({ eku: [x509.ExtendedKeyUsage.serverAuth] }), 'ext-key-usage');
  await check(await leaf({ names: [{ type: 'url', value: WEB }, { type: 'url', value: `${WEB}x` }] }), 'san');
  await check(await leaf({ names: [{ type: 'url', value: WEB }, { type: 'dns', value: 'web' }] }), 'san');
  await check(await leaf({ names: [{ type: 'url', value: workloadId(TD, 'default', 'other') }] }), 'san');
  await check(await leaf({ issuer: 'CN=Someone Else' }), 'issuer');
  await check(await leaf({ notBefore: new Date(NOW.getTime() + 60_000) }), 'validity');
  await check(await leaf({ notAfter: new Date(NOW.getTime() - 1000) }), 'validity');
  await check(await leaf({ notAfter: new Date(ca.notAfter.getTime() + 1000) }), 'validity');
});

test('refuses trailing bytes after the certificate', async () => {
  await check(Buffer.concat([await leaf(), Buffer.from([0])]), 'der-trailing-bytes');
});
