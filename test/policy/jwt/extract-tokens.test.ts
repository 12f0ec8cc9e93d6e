import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { extractTokens, splitRequestPrincipal } from '../../../src/policy/jwt/index.js';

describe('extractTokens', () => {
  it('reads Authorization Bearer and access_token by default, headers first', () => {
    const got = extractTokens([{ issuer: 'i' }], { headers: { Authorization: 'Bearer h.h.h' }, path: '/x?access_token=p.p.p' });
    assert.deepEqual(got.map((t) => [t.location, t.token]), [['header:authorization', 'h.h.h'], ['param:access_token', 'p.p.p']]);
  });

  it('takes every value of a repeated header', () => {
    const got = extractTokens([{ issuer: 'i' }], { headers: { authorization: ['Bearer a.a.a', 'Bearer b.b.b'] }, path: '/' });
    assert.deepEqual(got.map((t) => t.token), ['a.a.a', 'b.b.b']);
  });

  it('skips non-token characters after the prefix, as Envoy does', () => {
    const got = extractTokens([{ issuer: 'i' }], { headers: { authorization: 'Bearer   "x.y.z' }, path: '/' });
    assert.deepEqual(got.map((t) => t.token), ['x.y.z']);
  });

  it('uses only the custom locations when any is set, and merges issuers of a shared location', () => {
    const rules = [
      { issuer: 'a', fromHeaders: [{ name: 'x-token' }] },
      { issuer: 'b', fromHeaders: [{ name: 'X-Token' }], fromCookies: ['sid'] },
    ];
    const got = extractTokens(rules, { headers: { authorization: 'Bearer no', 'x-token': 't.t.t', cookie: 'sid="c.c.c"; sid=later' }, path: '/' });
    assert.deepEqual(got.map((t) => [t.location, t.token, [...t.issuers]]), [
      ['header:x-token', 't.t.t', ['a', 'b']],
      ['cookie:sid', 'c.c.c', ['b']],
    ]);
  });
});

describe('splitRequestPrincipal', () => {
  it('splits at the last slash so URL issuers stay whole', () => {
    assert.deepEqual(splitRequestPrincipal('https://idp.example.com/realms/x/u1'), { issuer: 'https://idp.example.com/realms/x', subject: 'u1' });
  });
});
