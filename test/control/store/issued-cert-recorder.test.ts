import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createIssuedCertRecorder } from '../../../src/control/store/issued-cert-recorder.js';
import type { IssuedCertRecord, Store } from '../../../src/control/store/store.js';
import { tempStores } from '../harness/stores.js';

const newStore = tempStores();
const cert = (i: number): IssuedCertRecord => ({ serial: i.toString(16).padStart(8, '0'), spiffeId: 'spiffe://cluster.local/ns/a/sa/b', notAfter: 2, issuedAt: 1 });

describe('IssuedCertRecorder', () => {
  it('commits records made in the same turn as one batch', async () => {
    const store = newStore();
    const batches: number[] = [];
    const counting: Store = { ...store, recordIssuedCertificates: (r) => (batches.push(r.length), store.recordIssuedCertificates(r)) } as Store;
    const rec = createIssuedCertRecorder(counting);
    await Promise.all(Array.from({ length: 500 }, (_, i) => rec.record(cert(i))));
    assert.deepEqual(batches, [500]);
    assert.equal((await store.listIssuedCertificates({ limit: 10_000 })).length, 500);
  });

  it('rejects every record of a failed batch and keeps working afterwards', async () => {
    const store = newStore();
    const rec = createIssuedCertRecorder(store);
    const results = await Promise.allSettled([rec.record(cert(1)), rec.record(cert(1))]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    await rec.record(cert(2));
    await rec.flush();
    assert.deepEqual((await store.listIssuedCertificates()).map((r) => r.serial), [cert(2).serial]);
  });
});
