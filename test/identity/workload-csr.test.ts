// Every request buildWorkloadCsr makes is checked three ways (ARCHITECTURE.md's terms
// for hand-built DER): @peculiar/x509 parses it and verifies it, `openssl req -verify`
// accepts it, and our CA's own parser and issuer take it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { x509 } from '../../src/identity/x509-provider.js';
import { buildWorkloadCsr } from '../../src/identity/workload-csr.js';
import { parseAndVerifyCsr } from '../../src/identity/ca/csr.js';
import { createSvidIssuer } from '../../src/identity/ca/issue.js';
import { workloadId } from '../../src/identity/spiffe-id.js';
import { TD, openssl, testCa } from './support.js';

const p256 = (): KeyObject => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const spkiOf = (key: KeyObject): Buffer => createPublicKey(key).export({ type: 'spki', format: 'der' });

test('a request parses with @peculiar/x509, verifies, and carries the key it was made for', async () => {
  for (let i = 0; i < 5; i++) {
    const key = p256();
    const csr = new x509.Pkcs10CertificateRequest(buildWorkloadCsr(key));
    assert.equal(await csr.verify(), true);
    assert.deepEqual(Buffer.from(csr.publicKey.rawData), spkiOf(key));
    assert.equal(csr.subject, '', 'no subject: the CA names the workload itself');
    assert.equal(csr.extensions.length, 0, 'no extensions, so no SAN that could name anyone');
    const alg = csr.signatureAlgorithm as unknown as { name: string; hash?: string | { name: string } };
    assert.equal(alg.name, 'ECDSA');
    const hash = alg.hash;
    assert.equal(typeof hash === 'string' ? hash : hash?.name, 'SHA-256');
  }
});

test('openssl req -verify accepts a request and sees a P-256 key signed with ecdsa-with-SHA256', () => {
  const key = p256();
  const der = buildWorkloadCsr(key);
  const pem = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE REQUEST-----\n`;
  // -verify prints its verdict on stderr; a bad signature makes openssl exit non-zero (execFileSync throws).
  openssl(['req', '-verify', '-noout'], { input: pem });
  const text = openssl(['req', '-noout', '-text'], { input: pem });
  assert.match(text, /ASN1 OID: prime256v1/);
  assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
  const pub = openssl(['req', '-noout', '-pubkey'], { input: pem });
  assert.deepEqual(createPublicKey(pub).export({ type: 'spki', format: 'der' }), spkiOf(key));
});

test('our CSR parser accepts a request as a P-256 key with no URI SAN', () => {
  const key = p256();
  const parsed = parseAndVerifyCsr(buildWorkloadCsr(key));
  assert.equal(parsed.keyKind, 'ec-p256');
  assert.deepEqual(parsed.uriSans, []);
  assert.deepEqual(parsed.spki, spkiOf(key));
});

test('the CA issues the attested SPIFFE ID for a request, with the request key in the certificate', async () => {
  const issuer = await createSvidIssuer({ ca: await testCa(), now: () => new Date() });
  const key = p256();
  const id = workloadId(TD, 'istioinaction', 'webapp');
  const svid = await issuer.issue({ csrDer: buildWorkloadCsr(key), spiffeId: id });
  const cert = new X509Certificate(svid.certDer);
  assert.equal(cert.subjectAltName, `URI:${id}`);
  assert.equal(svid.spiffeId, id);
  assert.deepEqual(cert.publicKey.export({ type: 'spki', format: 'der' }), spkiOf(key));
});

test('a request whose key is swapped for another no longer verifies (the signature covers the request info)', () => {
  const key = p256();
  const der = buildWorkloadCsr(key);
  const spkiAt = der.indexOf(spkiOf(key));
  assert.ok(spkiAt > 0);
  // Another P-256 SPKI has the same length: the request stays well-formed, only the signature breaks.
  const tampered = Buffer.from(der);
  spkiOf(p256()).copy(tampered, spkiAt);
  assert.throws(() => parseAndVerifyCsr(tampered), { code: 'MG_CSR_BAD_SIGNATURE' });
  assert.equal(parseAndVerifyCsr(der).keyKind, 'ec-p256');
});

test('two requests for two keys differ, and a fresh request for one key verifies each time (ECDSA nonce per signature)', () => {
  const key = p256();
  const a = buildWorkloadCsr(key);
  const b = buildWorkloadCsr(key);
  assert.notDeepEqual(a, b);
  assert.deepEqual(parseAndVerifyCsr(a).spki, parseAndVerifyCsr(b).spki);
});

test('refuses an RSA key, a P-384 key, an Ed25519 key and a public key, naming only the kind', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const ed = generateKeyPairSync('ed25519');
  const cases: Array<[KeyObject, RegExp]> = [
    [rsa.privateKey, /P-256 key only, not a rsa key/],
    [p384.privateKey, /P-256 key only, not curve secp384r1/],
    [ed.privateKey, /P-256 key only, not a ed25519 key/],
    [p256AsPublic(), /needs a private KeyObject/],
  ];
  for (const [key, message] of cases) {
    assert.throws(() => buildWorkloadCsr(key), (err: unknown) => {
      assert.ok(err instanceof TypeError);
      assert.match(err.message, message);
      assertNoKeyMaterial(err, key);
      return true;
    });
  }
});

test('a non-key argument is refused as misuse, not crashed on', () => {
  for (const bad of [undefined, null, 'pem text', Buffer.alloc(32)]) {
    assert.throws(() => buildWorkloadCsr(bad as unknown as KeyObject), { name: 'TypeError', message: /needs a private KeyObject/ });
  }
});

function p256AsPublic(): KeyObject {
  return createPublicKey(p256());
}

/** No PEM, DER (base64 or hex) of the key, private or public, in the error's text or fields. */
function assertNoKeyMaterial(err: Error, key: KeyObject): void {
  const text = `${err.message}\n${JSON.stringify(err)}\n${String(err.stack)}`;
  assert.doesNotMatch(text, /-----BEGIN/);
  const ders = key.type === 'private'
    ? [key.export({ type: 'pkcs8', format: 'der' }), createPublicKey(key).export({ type: 'spki', format: 'der' })]
    : [key.export({ type: 'spki', format: 'der' })];
  for (const der of ders) {
    // Any 16-byte window of the key's encoding, in base64 or hex, would be a leak.
    const probe = der.subarray(der.length - 16);
    assert.ok(!text.includes(probe.toString('base64')) && !text.includes(probe.toString('hex')));
  }
}
