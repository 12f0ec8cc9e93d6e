import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { x509 } from '../../../src/identity/x509-provider.js';
import { parseAndVerifyCsr, csrPemToDer, MAX_CSR_BYTES } from '../../../src/identity/ca/csr.js';
import { CsrRefusedError } from '../../../src/identity/errors.js';
import { opensslCsr, openssl, tempDir } from '../support.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ID = 'spiffe://cluster.local/ns/default/sa/web';

function refused(der: Uint8Array, code: string, reason?: string): void {
  assert.throws(() => parseAndVerifyCsr(der), (e: unknown) => {
    assert.ok(e instanceof CsrRefusedError, `expected CsrRefusedError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (reason !== undefined) assert.equal(e.reason, reason);
    return true;
  });
}

/** What @peculiar/x509 says about a CSR: accepted (parsed and signature verified) and its URI SANs. */
async function libraryView(der: Uint8Array): Promise<{ ok: boolean; uris: string[]; spki?: Buffer }> {
  try {
    const csr = new x509.Pkcs10CertificateRequest(Buffer.from(der));
    if (!(await csr.verify())) return { ok: false, uris: [] };
    // CSR extensions come back generic; re-read the SAN with its own class.
    const raw = csr.getExtension('2.5.29.17');
    const san = raw ? new x509.SubjectAlternativeNameExtension(raw.rawData) : undefined;
    const uris = san ? san.names.items.filter((n) => n.type === 'url').map((n) => n.value) : [];
    return { ok: true, uris, spki: Buffer.from(csr.publicKey.rawData) };
  } catch {
    return { ok: false, uris: [] };
  }
}

const valid = [
  { name: 'EC P-256 without SAN', make: () => opensslCsr('ec-p256'), kind: 'ec-p256', uris: [] as string[] },
  { name: 'EC P-256 with URI and DNS SANs', make: () => opensslCsr('ec-p256', { uri: ID, dns: 'evil.example' }), kind: 'ec-p256', uris: [ID] },
  { name: 'EC P-384 with URI SAN', make: () => opensslCsr('ec-p384', { uri: ID }), kind: 'ec-p384', uris: [ID] },
  { name: 'RSA-2048 without SAN', make: () => opensslCsr('rsa-2048'), kind: 'rsa', uris: [] },
  { name: 'RSA-2048 with URI SAN', make: () => opensslCsr('rsa-2048', { uri: ID }), kind: 'rsa', uris: [ID] },
];

for (const c of valid) {
  test(`parses an openssl ${c.name} CSR and agrees with @peculiar/x509`, async () => {
    const { der } = c.make();
    const mine = parseAndVerifyCsr(der);
    const lib = await libraryView(der);
    assert.equal(lib.ok, true);
    assert.equal(mine.keyKind, c.kind);
    assert.deepEqual(mine.uriSans, c.uris);
    assert.deepEqual(lib.uris, c.uris);
    assert.ok(mine.spki.equals(lib.spki!));
  });
}

test('refuses a CSR whose signature does not verify, as @peculiar/x509 does', async () => {
  const der = Buffer.from(opensslCsr('ec-p256').der);
  // Flip a bit inside the subject: still well-formed DER, but the signed bytes changed.
  const at = der.indexOf(Buffer.from('evil'));
  der[at] = der[at]! ^ 0x01;
  refused(der, 'MG_CSR_BAD_SIGNATURE', 'bad-signature');
  assert.equal((await libraryView(der)).ok, false);
});

test('refuses weak keys: RSA-1024, P-521 and secp256k1', () => {
  refused(opensslCsr('rsa-1024').der, 'MG_CSR_WEAK_KEY', 'rsa-1024');
  refused(opensslCsr('ec-p521').der, 'MG_CSR_WEAK_KEY', 'curve-P-521');
  refused(opensslCsr('secp256k1').der, 'MG_CSR_WEAK_KEY', 'curve-secp256k1');
});

test('refuses an Ed25519 CSR as an unsupported key', () => {
  const dir = tempDir();
  openssl(['req', '-new', '-newkey', 'ed25519', '-nodes', '-keyout', 'k.pem', '-subj', '/CN=x', '-outform', 'DER', '-out', 'c.der'], { cwd: dir });
  refused(readFileSync(join(dir, 'c.der')), 'MG_CSR_UNSUPPORTED_KEY');
});

test('refuses trailing bytes after the CSR', () => {
  const der = opensslCsr('ec-p256').der;
  refused(Buffer.concat([der, Buffer.from([0])]), 'MG_CSR_MALFORMED', 'trailing-bytes');
});

test('refuses a non-minimal length encoding and an indefinite length', () => {
  const der = opensslCsr('ec-p256').der;
  const header = der[1]! & 0x7f;
  const body = der.subarray(2 + (der[1]! & 0x80 ? header : 0));
  // Same length, written with one more (leading zero) octet than DER allows.
  const nonMinimal = Buffer.concat([Buffer.from([0x30, 0x83, 0x00, body.length >> 8, body.length & 0xff]), body]);
  refused(nonMinimal, 'MG_CSR_MALFORMED', 'non-minimal-length');
  refused(Buffer.concat([Buffer.from([0x30, 0x80]), body, Buffer.from([0, 0])]), 'MG_CSR_MALFORMED', 'indefinite-length');
});

test('refuses a CSR over 64 KiB before parsing it', () => {
  refused(Buffer.alloc(MAX_CSR_BYTES + 1, 0x30), 'MG_CSR_TOO_LARGE', 'too-large');
});

test('refuses empty input and garbage as malformed', () => {
  refused(Buffer.alloc(0), 'MG_CSR_MALFORMED');
  refused(Buffer.from('not a csr'), 'MG_CSR_MALFORMED');
});

test('decodes exactly one PEM CSR block and refuses anything else', () => {
  const dir = tempDir();
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-subj', '/CN=x', '-out', 'c.pem'], { cwd: dir });
  const pem = readFileSync(join(dir, 'c.pem'), 'utf8');
  assert.equal(parseAndVerifyCsr(csrPemToDer(pem)).keyKind, 'ec-p256');
  assert.throws(() => csrPemToDer(pem + pem), { code: 'MG_CSR_MALFORMED' });
});

test('fuzz: byte mutations of a valid CSR only ever raise CsrRefusedError and never pass a changed CSR', async () => {
  const { der } = opensslCsr('ec-p256', { uri: ID });
  const mutation = fc.oneof(
    fc.record({ op: fc.constant('set' as const), at: fc.nat(der.length - 1), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ op: fc.constant('cut' as const), at: fc.nat(der.length - 1), value: fc.constant(0) }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(der.length - 1), value: fc.integer({ min: 0, max: 255 }) }),
  );
  const accepted: Buffer[] = [];
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (ops) => {
      let m = Buffer.from(der);
      for (const { op, at, value } of ops) {
        if (op === 'set') m[at % m.length] = value;
        else if (op === 'cut') m = m.subarray(0, at % m.length);
        else m = Buffer.concat([m.subarray(0, at % (m.length + 1)), Buffer.from([value]), m.subarray(at % (m.length + 1))]);
        if (m.length === 0) break;
      }
      try {
        parseAndVerifyCsr(m);
        assert.ok(m.equals(der), 'a mutated CSR was accepted');
        accepted.push(m);
      } catch (e) {
        assert.ok(e instanceof CsrRefusedError, `unexpected ${String(e)}`);
      }
    }),
    { numRuns: 3000, seed: 20261123 },
  );
  // Whatever we accepted, the library accepts too (our parser is the stricter one).
  for (const m of accepted.slice(0, 5)) assert.equal((await libraryView(m)).ok, true);
});
