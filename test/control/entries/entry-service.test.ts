import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EntryService, normalizeSelectors } from '../../../src/control/entries/entry-service.js';
import { tempStores, TestClock } from '../harness/stores.js';

const newStore = tempStores();
const setup = () => {
  const clock = new TestClock();
  return { clock, entries: new EntryService(newStore(), 'cluster.local', clock) };
};

describe('EntryService', () => {
  it('creates an entry with sorted, de-duplicated selectors and lists it', async () => {
    const { entries } = setup();
    const e = await entries.create({ spiffeId: 'spiffe://cluster.local/payments/checkout', selectors: ['k8s:sa:checkout-service', 'k8s:ns:payments', 'k8s:ns:payments'] });
    assert.deepEqual(e.selectors, ['k8s:ns:payments', 'k8s:sa:checkout-service']);
    assert.deepEqual(await entries.list(), [e]);
  });

  it('refuses a duplicate entry, whatever the selector order', async () => {
    const { entries } = setup();
    await entries.create({ spiffeId: 'spiffe://cluster.local/a', selectors: ['k8s:ns:a', 'k8s:sa:b'] });
    await assert.rejects(entries.create({ spiffeId: 'spiffe://cluster.local/a', selectors: ['k8s:sa:b', 'k8s:ns:a'] }), { code: 'MG_ENTRY_EXISTS' });
  });

  it('refuses IDs outside the trust domain and malformed selectors', async () => {
    const { entries } = setup();
    await assert.rejects(entries.create({ spiffeId: 'spiffe://evil.org/a', selectors: ['k8s:ns:a'] }), { code: 'MG_SPIFFE_ID_INVALID' });
    for (const selectors of [[], ['nocolon'], ['k8s:'], ['K8S:ns:a'], ['k8s:ns a'], [42]]) {
      await assert.rejects(entries.create({ spiffeId: 'spiffe://cluster.local/a', selectors: selectors as string[] }), { code: 'MG_ENTRY_INVALID' }, JSON.stringify(selectors));
    }
  });

  it('matches only entries whose selectors are all attested, preferring the most specific', async () => {
    const { entries, clock } = setup();
    const ns = await entries.create({ spiffeId: 'spiffe://cluster.local/payments', selectors: ['k8s:ns:payments'] });
    clock.advance(1000);
    const both = await entries.create({ spiffeId: 'spiffe://cluster.local/payments/checkout', selectors: ['k8s:ns:payments', 'k8s:sa:checkout-service'] });
    assert.equal((await entries.match(['k8s:ns:payments', 'k8s:sa:checkout-service', 'k8s:pod-name:x']))?.id, both.id);
    assert.equal((await entries.match(['k8s:ns:payments', 'k8s:sa:other']))?.id, ns.id);
    assert.equal(await entries.match(['k8s:ns:orders', 'k8s:sa:checkout-service']), undefined);
  });

  it('prefers the older of two equally specific entries', async () => {
    const { entries, clock } = setup();
    const first = await entries.create({ spiffeId: 'spiffe://cluster.local/one', selectors: ['k8s:ns:a'] });
    clock.advance(1000);
    await entries.create({ spiffeId: 'spiffe://cluster.local/two', selectors: ['k8s:sa:b'] });
    assert.equal((await entries.match(['k8s:ns:a', 'k8s:sa:b']))?.id, first.id);
  });

  it('deletes an entry, and reports deleting an unknown one', async () => {
    const { entries } = setup();
    const e = await entries.create({ spiffeId: 'spiffe://cluster.local/a', selectors: ['k8s:ns:a'] });
    await entries.delete(e.id);
    assert.deepEqual(await entries.list(), []);
    await assert.rejects(entries.delete(e.id), { code: 'MG_ENTRY_NOT_FOUND' });
  });

  it('normalizes selectors without losing colons inside the value', () => {
    assert.deepEqual(normalizeSelectors(['k8s:pod-label:app:web']), ['k8s:pod-label:app:web']);
  });
});
