import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateWorkloadKey } from '../../../src/proxy/identity/workload-key.js';
import { retryDelay } from '../../../src/proxy/identity/retry-backoff.js';
import { GOOD_TOKEN, WEB, testCa } from './support.js';

async function signed(ca: Awaited<ReturnType<typeof testCa>>) {
  const key = await generateWorkloadKey();
  const svid = await ca.sign({ csrDer: key.csrDer, attestation: { type: 'join', evidence: { token: GOOD_TOKEN } } });
  return { certChainPem: svid.certChainPem, keyPem: key.keyPem };
}

describe('in-process CA renewals', () => {
  it('renews for the ID of the presented certificate', async () => {
    const ca = await testCa(60_000);
    const next = await generateWorkloadKey();
    assert.equal((await ca.renew({ csrDer: next.csrDer, presented: await signed(ca) })).spiffeId, WEB);
  });

  it('refuses a certificate presented without its key', async () => {
    const ca = await testCa(60_000);
    const mine = await signed(ca);
    const stranger = await generateWorkloadKey();
    await assert.rejects(ca.renew({ csrDer: stranger.csrDer, presented: { certChainPem: mine.certChainPem, keyPem: stranger.keyPem } }), { code: 'MG_CA_UNAUTHENTICATED', reason: 'key-mismatch' });
  });

  it('refuses a certificate of another CA, even naming the same ID', async () => {
    const ca = await testCa(60_000);
    const forged = await signed(await testCa(60_000));
    const key = await generateWorkloadKey();
    await assert.rejects(ca.renew({ csrDer: key.csrDer, presented: forged }), { code: 'MG_CA_UNAUTHENTICATED', reason: 'untrusted' });
    await assert.rejects(ca.mintJwtSvid({ audiences: ['a'], presented: forged }), { code: 'MG_CA_UNAUTHENTICATED' });
  });
});

describe('retry backoff', () => {
  it('doubles from the initial delay up to the cap, and retries before the SVID runs out', () => {
    const s = { initialMs: 1000, maxMs: 60_000 };
    assert.deepEqual([0, 1, 2, 3, 10].map((n) => retryDelay(n, s, () => 0.5)), [1000, 2000, 4000, 8000, 60_000]);
    assert.equal(retryDelay(0, s, () => 0), 800);
    assert.equal(retryDelay(0, s, () => 1), 1200);
    assert.equal(retryDelay(5, s, () => 0.5, 10_000), 5000, 'half the remaining life');
  });
});
