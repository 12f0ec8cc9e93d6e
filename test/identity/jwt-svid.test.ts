import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { mintJwtSvid, validateJwtSvid, MAX_JWT_SVID_TTL_SECONDS } from '../../src/identity/jwt-svid.js';
import { buildBundleDocument, jwtKeySet, parseBundleDocument } from '../../src/identity/bundle.js';
import { parseSpiffeId, parseTrustDomain, workloadId } from '../../src/identity/spiffe-id.js';
import { NOW, TD } from './support.js';

const WEB = workloadId(TD, 'default', 'web');
const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const key = { kid: 'k1', privateKey: pair.privateKey };
// Keys reach validation the way peers get them: through the bundle document.
const keys = jwtKeySet(parseBundleDocument(JSON.stringify(buildBundleDocument({ x509Roots: [], jwtKeys: [{ kid: 'k1', publicKey: pair.publicKey }] }))));
const at = (ms: number) => () => new Date(NOW.getTime() + ms);

test('mints an ES256 JWT-SVID that validates for its audience and names its subject', async () => {
  const jwt = await mintJwtSvid({ spiffeId: WEB, audience: ['billing'], key, now: at(0) });
  const header = JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString());
  assert.deepEqual(header, { alg: 'ES256', kid: 'k1', typ: 'JWT' });
  const claims = await validateJwtSvid(jwt, { audience: 'billing', keys, trustDomain: TD, now: at(60_000) });
  assert.equal(claims.spiffeId, WEB);
  assert.deepEqual(claims.audience, ['billing']);
  assert.equal(claims.expiresAt.getTime(), Math.floor(NOW.getTime() / 1000) * 1000 + 300_000);
});

test('refuses a token for another audience, an expired one and one signed by an unknown key', async () => {
  const jwt = await mintJwtSvid({ spiffeId: WEB, audience: ['billing'], key, now: at(0) });
  await assert.rejects(validateJwtSvid(jwt, { audience: 'payments', keys, trustDomain: TD, now: at(0) }), { code: 'MG_JWT_SVID_INVALID', reason: 'audience' });
  await assert.rejects(validateJwtSvid(jwt, { audience: 'billing', keys, trustDomain: TD, now: at(301_000) }), { code: 'MG_JWT_SVID_INVALID', reason: 'expired' });
  const other = { kid: 'k1', privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey };
  const forged = await mintJwtSvid({ spiffeId: WEB, audience: ['billing'], key: other, now: at(0) });
  await assert.rejects(validateJwtSvid(forged, { audience: 'billing', keys, trustDomain: TD, now: at(0) }), { code: 'MG_JWT_SVID_INVALID', reason: 'signature' });
});

test('refuses a token without exp, and a subject from another trust domain', async () => {
  const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject(WEB).setAudience('billing').sign(pair.privateKey);
  await assert.rejects(validateJwtSvid(noExp, { audience: 'billing', keys, trustDomain: TD, now: at(0) }), { code: 'MG_JWT_SVID_INVALID', reason: 'claim-exp' });
  const foreign = await mintJwtSvid({ spiffeId: parseSpiffeId('spiffe://evil.example/ns/default/sa/web'), audience: ['billing'], key, now: at(0) });
  await assert.rejects(validateJwtSvid(foreign, { audience: 'billing', keys, trustDomain: TD, now: at(0) }), { code: 'MG_JWT_SVID_INVALID', reason: 'trust-domain' });
  await assert.rejects(validateJwtSvid(foreign, { audience: 'billing', keys, trustDomain: parseTrustDomain('other.example'), now: at(0) }), { code: 'MG_JWT_SVID_INVALID' });
});

test('requires an audience to mint and caps the lifetime at an hour', async () => {
  await assert.rejects(mintJwtSvid({ spiffeId: WEB, audience: [], key, now: at(0) }), TypeError);
  const jwt = await mintJwtSvid({ spiffeId: WEB, audience: ['a'], key, now: at(0), ttlSeconds: 86_400 });
  const claims = await validateJwtSvid(jwt, { audience: 'a', keys, trustDomain: TD, now: at(0) });
  assert.equal(claims.expiresAt.getTime() - claims.issuedAt!.getTime(), MAX_JWT_SVID_TTL_SECONDS * 1000);
});
