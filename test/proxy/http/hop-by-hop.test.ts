import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardableHeaders, forwardablePairs } from '../../../src/proxy/http/index.js';

test('hop-by-hop headers and those a Connection header names are not forwarded; the rest is, repeats included', () => {
  const pairs: Array<[string, string]> = [
    ['connection', 'keep-alive'], ['keep-alive', 'timeout=5'], ['set-cookie', 'a'], ['set-cookie', 'b'], ['content-length', '2'],
  ];
  assert.deepEqual(forwardablePairs(pairs), [['set-cookie', 'a'], ['set-cookie', 'b'], ['content-length', '2']]);
  for (const connection of ['Keep-Alive', 'close', 'CLOSE', 'keep-alive, x-secret', 'X-Secret', ' x-secret ,close']) {
    const named = /x-secret/i.test(connection);
    assert.deepEqual(forwardablePairs([['connection', connection], ['x-secret', 's'], ['x-a', '1']]), named ? [['x-a', '1']] : [['x-secret', 's'], ['x-a', '1']], connection);
    assert.deepEqual(forwardableHeaders({ connection, 'x-secret': 's', 'x-a': '1', te: 'trailers', upgrade: 'h2c' }, false), named ? { 'x-a': '1' } : { 'x-secret': 's', 'x-a': '1' }, connection);
  }
  // Two Connection lines: both lists count.
  assert.deepEqual(forwardablePairs([['connection', 'x-one'], ['connection', 'x-two'], ['x-one', '1'], ['x-two', '2'], ['x-three', '3']]), [['x-three', '3']]);
  assert.deepEqual(forwardableHeaders({ te: 'trailers', 'content-type': 'application/grpc' }, true), { te: 'trailers', 'content-type': 'application/grpc' }, 'te: trailers survives towards HTTP/2');
});
