import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { EntryService } from '../../src/control/entries/entry-service.js';
import { IdentityService } from '../../src/control/identity-service.js';
import { TokenService } from '../../src/control/tokens/token-service.js';
import { builtinAttestors } from '../../src/identity/attestors/index.js';
import { tempStores, TestClock } from './harness/stores.js';

const newStore = tempStores();
const setup = () => {
  const store = newStore();
  const clock = new TestClock();
  const tokens = new TokenService(store, randomBytes(32), clock);
  const entries = new EntryService(store, 'cluster.local', clock);
  return { tokens, entries, identities: new IdentityService(builtinAttestors({ tokens }), entries, store, 'cluster.local') };
};
const checkout = { namespace: 'payments', serviceAccount: 'checkout' };

describe('IdentityService', () => {
  it('gives the default ns/sa identity when no entry matches', async () => {
    const { tokens, identities } = setup();
    const t = await tokens.create(checkout);
    const id = await identities.attest('join', { token: t.token });
    assert.equal(id.spiffeId, 'spiffe://cluster.local/ns/payments/sa/checkout');
    assert.equal(id.tokenId, t.id);
    assert.equal(id.entryId, undefined);
    assert.ok(id.selectors.includes(`meshguard:token:${t.id}`));
  });

  it('gives the entry SPIFFE ID when the attested selectors include the entry selectors', async () => {
    const { tokens, entries, identities } = setup();
    const t = await tokens.create(checkout);
    const e = await entries.create({ spiffeId: 'spiffe://cluster.local/billing/checkout', selectors: [`meshguard:token:${t.id}`] });
    const id = await identities.attest('join', { token: t.token });
    assert.equal(id.spiffeId, 'spiffe://cluster.local/billing/checkout');
    assert.equal(id.entryId, e.id);
  });

  it('stops renewals once the entry is deleted', async () => {
    const { tokens, entries, identities } = setup();
    const t = await tokens.create({ ...checkout, kind: 'local' });
    const e = await entries.create({ spiffeId: 'spiffe://cluster.local/x', selectors: ['meshguard:ns:payments'] });
    const id = await identities.attest('local', { token: t.token });
    await identities.checkRenewal(id);
    await entries.delete(e.id);
    await assert.rejects(identities.checkRenewal(id), { code: 'MG_RENEWAL_ENTRY_DELETED' });
  });

  it('stops renewals once the token that attested the identity is revoked', async () => {
    const { tokens, identities } = setup();
    const t = await tokens.create(checkout);
    const id = await identities.attest('join', { token: t.token });
    await identities.checkRenewal(id);
    await tokens.revoke(t.id);
    await assert.rejects(identities.checkRenewal(id), { code: 'MG_RENEWAL_TOKEN_REVOKED' });
  });

  it('refuses an attestor that is not enabled', async () => {
    const { identities } = setup();
    await assert.rejects(identities.attest('k8s-psat', { token: 'x' }), { code: 'MG_ATTEST_UNKNOWN_ATTESTOR' });
  });
});
