import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, it } from 'node:test';
import { createIdentityClient } from '../../../src/proxy/identity/identity-client.js';
import { secretsView } from '../../../src/proxy/identity/secrets-view.js';
import { GOOD_TOKEN, memoryLog, testCa } from './support.js';

const identity = createIdentityClient({ ca: await testCa(60_000), attestation: { type: 'join', evidence: { token: GOOD_TOKEN } }, log: memoryLog() });
after(() => identity.close());

it('lists the chain as default and each root as ROOTCA, with validity judged at the given time', async () => {
  const id = await identity.start();
  const leaf = new X509Certificate(id.certChainPem);
  const now = secretsView(id, new Date());
  assert.deepEqual(now.map((r) => [r.resourceName, r.type, r.status, r.validCert]), [['default', 'Cert Chain', 'ACTIVE', true], ['ROOTCA', 'CA', 'ACTIVE', true]]);
  assert.equal(now[0]!.serialNumber, leaf.serialNumber.toLowerCase());
  assert.equal(now[0]!.notAfter, new Date(leaf.validTo).toISOString().replace('.000Z', 'Z'));
  assert.ok(!JSON.stringify(now).includes('PRIVATE KEY'));
  const later = secretsView(id, new Date(Date.parse(leaf.validTo) + 1000));
  assert.equal(later[0]!.validCert, false, 'expired leaf');
  assert.equal(later[1]!.validCert, true, 'the root lives on');
});
