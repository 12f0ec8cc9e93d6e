import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { buildBundleDocument, parseBundleDocument } from '../../src/identity/bundle.js';
import { testCa } from './support.js';

test('builds a SPIFFE bundle with x509-svid roots and jwt-svid keys and parses it back', async () => {
  const ca = await testCa();
  const jwt = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const doc = buildBundleDocument({ x509Roots: [...ca.roots], jwtKeys: [{ kid: 'k1', publicKey: jwt }], sequence: 7, refreshHintSeconds: 60 });
  assert.equal(doc.spiffe_sequence, 7);
  assert.equal(doc.spiffe_refresh_hint, 60);
  assert.deepEqual(doc.keys.map((k) => [k.use, k.kty, k.crv]), [['x509-svid', 'EC', 'P-256'], ['jwt-svid', 'EC', 'P-256']]);
  assert.equal(doc.keys[0]!.x5c![0], Buffer.from(ca.certificate).toString('base64'));
  const back = parseBundleDocument(JSON.stringify(doc));
  assert.ok(back.x509Roots[0]!.equals(ca.certificate));
  assert.equal(back.jwtKeys[0]!.kid, 'k1');
  assert.ok(back.jwtKeys[0]!.publicKey.equals(jwt));
  assert.equal(back.sequence, 7);
});

test('skips keys of unknown use, as the spec says', () => {
  const b = parseBundleDocument(JSON.stringify({ keys: [{ use: 'something-new', kty: 'oct' }] }));
  assert.deepEqual(b, { x509Roots: [], jwtKeys: [] });
});

test('refuses malformed bundles with a reason', async () => {
  const ca = await testCa();
  const good = buildBundleDocument({ x509Roots: [...ca.roots], jwtKeys: [] });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  const bad = (doc: unknown, reason: string) => assert.throws(() => parseBundleDocument(JSON.stringify(doc)), { code: 'MG_BUNDLE_INVALID', reason });
  assert.throws(() => parseBundleDocument('{'), { code: 'MG_BUNDLE_INVALID', reason: 'json' });
  bad({}, 'keys');
  bad({ keys: [{ ...good.keys[0], x5c: [] }] }, 'x5c');
  bad({ keys: [{ ...good.keys[0], ...other }] }, 'x5c-key-mismatch');
  bad({ keys: [{ use: 'jwt-svid', ...other }] }, 'kid');
  bad({ keys: [{ use: 'jwt-svid', kid: 'a', ...other }, { use: 'jwt-svid', kid: 'a', ...other }] }, 'duplicate-kid');
  bad({ keys: [{ use: 'jwt-svid', kid: 'a', ...other, d: 'secret' }] }, 'private-key');
  bad({ keys: [], spiffe_sequence: -1 }, 'spiffe_sequence');
});
