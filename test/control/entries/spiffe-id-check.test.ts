import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkWorkloadSpiffeId, defaultSpiffeId } from '../../../src/control/entries/spiffe-id-check.js';

describe('checkWorkloadSpiffeId', () => {
  it('accepts workload IDs in our trust domain', () => {
    for (const id of ['spiffe://cluster.local/ns/payments/sa/checkout', 'spiffe://cluster.local/payments/checkout-v1.2_x']) {
      assert.equal(checkWorkloadSpiffeId(id, 'cluster.local'), id);
    }
  });

  const bad: [string, RegExp][] = [
    ['spiffe://example.org/ns/a/sa/b', /trust domain must be cluster.local/],
    ['https://cluster.local/ns/a', /must start with spiffe:\/\//],
    ['spiffe://cluster.local', /needs a path/],
    ['spiffe://cluster.local/', /needs a path/],
    ['spiffe://cluster.local/ns//a', /may not be empty/],
    ['spiffe://cluster.local/ns/a/', /may not be empty/],
    ['spiffe://cluster.local/ns/../a', /"\." or "\.\."/],
    ['spiffe://cluster.local/ns/a?x=1', /query or fragment/],
    ['spiffe://cluster.local/ns/a#f', /query or fragment/],
    ['spiffe://Cluster.local/ns/a', /trust domain may hold only/],
    ['spiffe://cluster.local:8443/ns/a', /no port or user info/],
    ['spiffe://user@cluster.local/ns/a', /no port or user info/],
    ['spiffe://cluster.local/ns/a%2Fb', /path segment "a%2Fb"/],
    ['', /empty/],
  ];
  for (const [id, why] of bad) {
    it(`refuses ${JSON.stringify(id)}`, () => {
      assert.throws(() => checkWorkloadSpiffeId(id, 'cluster.local'), (err: { code: string; message: string }) => {
        assert.equal(err.code, 'MG_SPIFFE_ID_INVALID');
        assert.match(err.message, why);
        return true;
      });
    });
  }

  it('builds the default ns/sa identity', () => {
    assert.equal(defaultSpiffeId('cluster.local', 'payments', 'checkout'), 'spiffe://cluster.local/ns/payments/sa/checkout');
  });
});
