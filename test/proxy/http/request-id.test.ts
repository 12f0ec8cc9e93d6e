import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requestId } from '../../../src/proxy/http/index.js';

test('request ids are version-4 UUIDs, all distinct, every random digit taking every value', () => {
  const ids = Array.from({ length: 5000 }, () => requestId()); // past several refills of the random pool
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(new Set(ids).size, ids.length);
  // A digit stuck at one value (a table or offset mistake) would show here; 5000 draws of 16 values never miss one by chance.
  for (let pos = 0; pos < 36; pos++) {
    if ([8, 13, 14, 18, 19, 23].includes(pos)) continue;
    assert.equal(new Set(ids.map((id) => id[pos])).size, 16, `position ${pos}`);
  }
});
