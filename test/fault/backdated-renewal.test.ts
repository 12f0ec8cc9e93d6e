/**
 * The CA backdates notBefore by a minute (clock skew). With SVIDs of a few seconds,
 * "half the lifetime from notBefore" is already in the past when the SVID arrives:
 * the identity client must count from receipt, or it renews in a tight loop.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRootCa, generateCaPrivateKey, memoryKeyStore, parseTrustDomain, workloadId } from '../../src/identity/index.js';
import { createIdentityClient } from '../../src/proxy/identity/identity-client.js';
import { createInProcessCaApi } from '../../src/proxy/identity/in-process-ca.js';
import { sleep } from './mesh-harness.js';

const TD = parseTrustDomain('cluster.local');
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('identity client with short-lived, backdated SVIDs', () => {
  it('renews once per half of the lifetime it was actually given, not in a loop', async () => {
    const root = await createRootCa({ trustDomain: TD, keyStore: memoryKeyStore(generateCaPrivateKey()), now: () => new Date() });
    // The control plane's default backdating (60 s) and a 4 s SVID, as `meshguard control-plane --svid-ttl 4s` issues.
    const ca = await createInProcessCaApi({ ca: root, now: () => new Date(), svidTtlMs: 4000, attest: async () => workloadId(TD, 'default', 'web') });
    const client = createIdentityClient({ ca, attestation: { type: 'join', evidence: { token: 't' } }, log: quiet, random: () => 0.5 });
    try {
      const first = await client.start();
      assert.ok(client.status().notBefore!.getTime() < Date.now() - 30_000, 'the SVID is backdated');
      const next = client.status().nextRenewalAt!.getTime();
      assert.ok(next > Date.now() + 1000 && next < first.notAfter.getTime(), 'the renewal is due about half of the 4 s ahead');
      await sleep(1000);
      assert.equal(client.status().renewals, 1, 'no renewal during the first second');
      await sleep(2500);
      assert.ok(client.status().renewals >= 2 && client.status().renewals <= 3, `renewed ${client.status().renewals - 1} time(s) in 3.5 s`);
      assert.ok(client.current().notAfter.getTime() > first.notAfter.getTime(), 'the renewed SVID outlives the first');
    } finally {
      client.close();
    }
  });
});
