import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compose, TokenCache, type Handler, type InboundRequest } from '../../../src/proxy/inbound/index.js';

const attrs = { principal: 'iss/sub', issuer: 'iss', audiences: [], claims: {}, spaceDelimited: [] };

test('a cached token expires at its exp claim', () => {
  const c = new TokenCache();
  c.set('Bearer a', attrs, 0, 100, 50_000);
  assert.equal(c.get('Bearer a', 99_999)?.attrs.principal, 'iss/sub');
  assert.equal(c.get('Bearer a', 100_000), undefined);
  assert.equal(c.size, 0, 'the expired entry is dropped');
});

test('no entry lives longer than the maximum TTL, and an already expired token is not stored', () => {
  const c = new TokenCache({ maxTtlMs: 1000 });
  c.set('k', attrs, 0, 1e10, 0);
  assert.ok(c.get('k', 999));
  assert.equal(c.get('k', 1000), undefined);
  c.set('old', attrs, 0, 1, 5000);
  assert.equal(c.size, 0);
});

test('the cache is bounded: the oldest entry goes first', () => {
  const c = new TokenCache({ maxSize: 2 });
  c.set('a', attrs, 0, undefined, 0);
  c.set('b', attrs, 0, undefined, 0);
  c.set('c', attrs, 0, undefined, 0);
  assert.equal(c.size, 2);
  assert.equal(c.get('a', 1), undefined);
  assert.ok(c.get('c', 1));
});

test('huge header values are never cached', () => {
  const c = new TokenCache();
  c.set('x'.repeat(5000), attrs, 0, undefined, 0);
  assert.equal(c.size, 0);
});

test('compose runs layers outermost first and rejects non-functions', async () => {
  const order: string[] = [];
  const layer = (name: string) => (next: Handler): Handler => (r) => (order.push(name), next(r));
  await compose([layer('a'), layer('b')], () => void order.push('app'))({} as InboundRequest);
  assert.deepEqual(order, ['a', 'b', 'app']);
  assert.throws(() => compose([42 as never], () => {}), TypeError);
  assert.throws(() => compose([], undefined as never), TypeError);
});
