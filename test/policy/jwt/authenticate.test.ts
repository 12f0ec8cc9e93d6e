import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SignJWT, exportSPKI } from 'jose';
import type { JwtRule } from '../../../src/config/kinds.js';
import { authenticate, claimValues, inlineKeyResolver, type AuthnResult } from '../../../src/policy/jwt/index.js';
import { epoch, makeIssuer, type TestIssuer } from './signer.js';

const fixture = (f: string) => readFileSync(new URL(`../../fixtures/jwt/${f}`, import.meta.url), 'utf8').trim();
const NOW = new Date('2026-03-01T12:00:00Z');
const keys = inlineKeyResolver();
const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}`, host: 'api.example.com' }, path: '/api/catalog?x=1' });

function assertInvalid(r: AuthnResult, code: string, body: string, status = 401): void {
  assert.equal(r.result, 'invalid', `expected invalid, got ${JSON.stringify(r)}`);
  if (r.result !== 'invalid') return;
  assert.equal(r.code, code);
  assert.equal(r.body, body);
  assert.equal(r.status, status);
}

describe('Istio sample tokens', () => {
  const rule: JwtRule = { issuer: 'testing@secure.istio.io', jwks: fixture('jwks.json') };
  const istioNow = new Date('2026-01-01T00:00:00Z');

  it('accepts demo.jwt with principal iss/sub', async () => {
    const r = await authenticate([rule], bearer(fixture('demo.jwt')), keys, istioNow);
    assert.equal(r.result, 'valid');
    if (r.result !== 'valid') return;
    assert.equal(r.principal, 'testing@secure.istio.io/testing@secure.istio.io');
    assert.equal(r.issuer, 'testing@secure.istio.io');
    assert.equal(r.claims.foo, 'bar');
    assert.deepEqual(r.audiences, []);
  });

  it('exposes the groups and scope claims of groups-scope.jwt as lists', async () => {
    const r = await authenticate([rule], bearer(fixture('groups-scope.jwt')), keys, istioNow);
    assert.equal(r.result, 'valid');
    if (r.result !== 'valid') return;
    assert.deepEqual(claimValues(r, ['groups']), ['group1', 'group2']);
    assert.deepEqual(claimValues(r, ['scope']), ['scope1', 'scope2']);
  });

  it('refuses demo.jwt once its payload is altered', async () => {
    const [h, , s] = fixture('demo.jwt').split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ iss: 'testing@secure.istio.io', sub: 'admin', exp: 4685989700 })).toString('base64url')}.${s}`;
    assertInvalid(await authenticate([rule], bearer(forged), keys, istioNow), 'MG_JWT_VERIFICATION_FAILED', 'Jwt verification fails');
  });
});

describe('authenticate: outcomes Envoy gives', () => {
  let iss: TestIssuer;
  let other: TestIssuer;
  let rule: JwtRule;
  before(async () => {
    iss = await makeIssuer('RS256');
    other = await makeIssuer('RS256', iss.kid); // same kid, different key: a forger
    rule = { issuer: 'https://issuer.example.com', jwks: iss.jwks };
  });
  const claims = (extra: Record<string, unknown> = {}) => ({ iss: 'https://issuer.example.com', sub: 'alice', ...extra });

  it('admits a request without a token, with no identity', async () => {
    assert.equal((await authenticate([rule], { headers: {}, path: '/' }, keys, NOW)).result, 'absent');
  });

  it('admits anything when no rule applies', async () => {
    assert.equal((await authenticate([], bearer('garbage'), keys, NOW)).result, 'absent');
  });

  it('accepts a token expired 59 s ago (Envoy allows 60 s of skew)', async () => {
    const t = await iss.sign(claims({ exp: epoch(NOW) - 59 }));
    assert.equal((await authenticate([rule], bearer(t), keys, NOW)).result, 'valid');
  });

  it('refuses a token expired 61 s ago with 401 Jwt is expired and a Bearer challenge', async () => {
    const t = await iss.sign(claims({ exp: epoch(NOW) - 61 }));
    const r = await authenticate([rule], bearer(t), keys, NOW);
    assertInvalid(r, 'MG_JWT_EXPIRED', 'Jwt is expired');
    if (r.result === 'invalid') {
      assert.equal(r.wwwAuthenticate, 'Bearer realm="http://api.example.com/api/catalog", error="invalid_token"');
    }
  });

  it('refuses a token whose nbf is more than 60 s ahead, accepts one 59 s ahead', async () => {
    const late = await iss.sign(claims({ nbf: epoch(NOW) + 61 }));
    assertInvalid(await authenticate([rule], bearer(late), keys, NOW), 'MG_JWT_NOT_YET_VALID', 'Jwt not yet valid');
    const near = await iss.sign(claims({ nbf: epoch(NOW) + 59 }));
    assert.equal((await authenticate([rule], bearer(near), keys, NOW)).result, 'valid');
  });

  it('refuses a token from an issuer no rule names', async () => {
    const t = await iss.sign(claims({ iss: 'old-auth@example.com' }));
    assertInvalid(await authenticate([rule], bearer(t), keys, NOW), 'MG_JWT_UNKNOWN_ISSUER', 'Jwt issuer is not configured');
  });

  it('answers 403 when the audience is not allowed, also when aud is absent', async () => {
    const withAud = { ...rule, audiences: ['orders'] };
    const wrong = await iss.sign(claims({ aud: 'billing' }));
    assertInvalid(await authenticate([withAud], bearer(wrong), keys, NOW), 'MG_JWT_AUDIENCE_NOT_ALLOWED', 'Audiences in Jwt are not allowed', 403);
    const none = await iss.sign(claims());
    assertInvalid(await authenticate([withAud], bearer(none), keys, NOW), 'MG_JWT_AUDIENCE_NOT_ALLOWED', 'Audiences in Jwt are not allowed', 403);
    const right = await iss.sign(claims({ aud: ['billing', 'orders'], azp: 'web-ui' }));
    const r = await authenticate([withAud], bearer(right), keys, NOW);
    assert.equal(r.result, 'valid');
    if (r.result === 'valid') {
      assert.deepEqual(r.audiences, ['billing', 'orders']);
      assert.equal(r.presenter, 'web-ui');
    }
  });

  it('refuses a token signed by another key under the same kid', async () => {
    const t = await other.sign(claims());
    assertInvalid(await authenticate([rule], bearer(t), keys, NOW), 'MG_JWT_VERIFICATION_FAILED', 'Jwt verification fails');
  });

  it('refuses alg none', async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const t = `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims())}.`;
    assertInvalid(await authenticate([rule], bearer(t), keys, NOW), 'MG_JWT_ALG_NOT_SUPPORTED', 'Jwt header [alg] is not supported');
  });

  it('refuses HS256 signed with the RSA public key as the secret (alg confusion)', async () => {
    const pem = await exportSPKI(iss.publicKey);
    const t = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: iss.kid }).sign(new TextEncoder().encode(pem));
    assertInvalid(await authenticate([rule], bearer(t), keys, NOW), 'MG_JWT_NO_MATCHING_KEY', "Jwks doesn't have key to match kid or alg from Jwt");
  });

  it('refuses a kid the JWKS does not have', async () => {
    const t = await iss.sign(claims(), { kid: 'rotated-away' });
    assertInvalid(await authenticate([rule], bearer(t), keys, NOW), 'MG_JWT_NO_MATCHING_KEY', "Jwks doesn't have key to match kid or alg from Jwt");
  });

  it('refuses ES256 when the JWKS key is pinned to RS256', async () => {
    const es = await makeIssuer('ES256', iss.kid);
    const t = await es.sign(claims());
    assertInvalid(await authenticate([rule], bearer(t), keys, NOW), 'MG_JWT_NO_MATCHING_KEY', "Jwks doesn't have key to match kid or alg from Jwt");
  });

  it('answers 401 with Envoy\'s format message for garbage, two segments and huge tokens', async () => {
    const bad = 'Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections';
    for (const t of ['garbage', 'abc.def', `${'a'.repeat(20_000)}.b.c`]) {
      assertInvalid(await authenticate([rule], bearer(t), keys, NOW), 'MG_JWT_BAD_FORMAT', bad);
    }
  });

  it('answers 401 for a header that is not JSON, and for a string exp', async () => {
    assertInvalid(await authenticate([rule], bearer('bm90LWpzb24.e30.c2ln'), keys, NOW), 'MG_JWT_HEADER_INVALID', 'Jwt header is an invalid JSON');
    const t = await iss.sign(claims({ exp: 'tomorrow' }));
    assertInvalid(await authenticate([rule], bearer(t), keys, NOW), 'MG_JWT_CLAIM_BAD_TYPE', 'Jwt payload [exp] field is not an integer');
  });

  it('fails closed when the resolver has no keys for the rule', async () => {
    const remote = { issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks' };
    const t = await iss.sign(claims());
    assertInvalid(await authenticate([remote], bearer(t), keys, NOW), 'MG_JWT_NO_VALID_KEYS', "Jwks doesn't have any valid public key");
  });

  it('verifies ES256 tokens', async () => {
    const es = await makeIssuer('ES256');
    const t = await es.sign(claims());
    const r = await authenticate([{ issuer: 'https://issuer.example.com', jwks: es.jwks }], bearer(t), keys, NOW);
    assert.equal(r.result, 'valid');
  });
});

describe('authenticate: where tokens are read and how rules combine', () => {
  let a: TestIssuer;
  let b: TestIssuer;
  let ruleA: JwtRule;
  let ruleB: JwtRule;
  before(async () => {
    a = await makeIssuer('RS256');
    b = await makeIssuer('ES256');
    ruleA = { issuer: 'a@example.com', jwks: a.jwks };
    ruleB = { issuer: 'b@example.com', jwks: b.jwks };
  });

  it('reads the access_token query parameter by default', async () => {
    const t = await a.sign({ iss: 'a@example.com', sub: 'u' });
    const r = await authenticate([ruleA], { headers: {}, path: `/p?x=1&access_token=${t}` }, keys, NOW);
    assert.equal(r.result, 'valid');
    if (r.result === 'valid') assert.equal(r.location, 'param:access_token');
  });

  it('reads a custom header after its prefix, and then ignores Authorization', async () => {
    const custom = { ...ruleA, fromHeaders: [{ name: 'X-Jwt-Assertion', prefix: 'Token ' }] };
    const t = await a.sign({ iss: 'a@example.com', sub: 'u' });
    const r = await authenticate([custom], { headers: { 'x-jwt-assertion': `Token ${t}` }, path: '/' }, keys, NOW);
    assert.equal(r.result, 'valid');
    assert.equal((await authenticate([custom], bearer(t), keys, NOW)).result, 'absent');
  });

  it('matches the Bearer prefix case-sensitively, as Envoy does', async () => {
    const t = await a.sign({ iss: 'a@example.com', sub: 'u' });
    assert.equal((await authenticate([ruleA], { headers: { authorization: `bearer ${t}` }, path: '/' }, keys, NOW)).result, 'absent');
  });

  it('reads a cookie when fromCookies names it', async () => {
    const t = await a.sign({ iss: 'a@example.com', sub: 'u' });
    const r = await authenticate([{ ...ruleA, fromCookies: ['session'] }], { headers: { cookie: `theme=dark; session=${t}` }, path: '/' }, keys, NOW);
    assert.equal(r.result, 'valid');
    if (r.result === 'valid') assert.equal(r.location, 'cookie:session');
  });

  it('ORs the rules of two issuers: either token passes, a third issuer does not', async () => {
    const tb = await b.sign({ iss: 'b@example.com', sub: 'bob' });
    const r = await authenticate([ruleA, ruleB], bearer(tb), keys, NOW);
    assert.equal(r.result, 'valid');
    if (r.result === 'valid') assert.deepEqual([r.rule, r.principal], [1, 'b@example.com/bob']);
    const tc = await a.sign({ iss: 'c@example.com', sub: 'carol' });
    assertInvalid(await authenticate([ruleA, ruleB], bearer(tc), keys, NOW), 'MG_JWT_UNKNOWN_ISSUER', 'Jwt issuer is not configured');
  });

  it('refuses a request with one good and one expired token', async () => {
    const good = await a.sign({ iss: 'a@example.com', sub: 'u' });
    const expired = await a.sign({ iss: 'a@example.com', sub: 'u', exp: epoch(NOW) - 3600 });
    const r = await authenticate([ruleA], { headers: { authorization: `Bearer ${good}` }, path: `/?access_token=${expired}` }, keys, NOW);
    assertInvalid(r, 'MG_JWT_EXPIRED', 'Jwt is expired');
  });

  it('accepts two good tokens of two issuers and takes the identity from the header', async () => {
    const ta = await a.sign({ iss: 'a@example.com', sub: 'alice' });
    const tb = await b.sign({ iss: 'b@example.com', sub: 'bob' });
    const r = await authenticate([ruleA, ruleB], { headers: { authorization: `Bearer ${ta}` }, path: `/?access_token=${tb}` }, keys, NOW);
    assert.equal(r.result, 'valid');
    if (r.result === 'valid') assert.equal(r.principal, 'a@example.com/alice');
  });

  it('splits scope and permission by default and spaceDelimitedClaims when set', async () => {
    const t = await a.sign({ iss: 'a@example.com', sub: 'u', scope: 'read write', roles: 'admin ops', team: 'x y' });
    const r = await authenticate([{ ...ruleA, spaceDelimitedClaims: ['roles'] }], bearer(t), keys, NOW);
    assert.equal(r.result, 'valid');
    if (r.result !== 'valid') return;
    assert.deepEqual(claimValues(r, ['scope']), ['read write', 'read', 'write']);
    assert.deepEqual(claimValues(r, ['roles']), ['admin ops', 'admin', 'ops']);
    assert.deepEqual(claimValues(r, ['team']), ['x y']);
  });
});
