import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { TokenService } from '../../../src/control/tokens/token-service.js';
import { hashTokenSecret } from '../../../src/control/tokens/token-secret.js';
import { tempStores, TestClock } from '../harness/stores.js';

const newStore = tempStores();
const setup = () => {
  const store = newStore();
  const clock = new TestClock();
  const pepper = randomBytes(32);
  return { store, clock, pepper, tokens: new TokenService(store, pepper, clock) };
};
const checkout = { namespace: 'payments', serviceAccount: 'checkout' };

describe('TokenService', () => {
  it('mints a 32-byte base64url secret and stores only its keyed hash', async () => {
    const { store, pepper, tokens } = setup();
    const t = await tokens.create(checkout);
    assert.match(t.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(t.token, 'base64url').length, 32);
    const [record] = await store.listTokens();
    assert.equal(record?.hash, hashTokenSecret(pepper, t.token));
    assert.ok(!JSON.stringify(await store.listTokens()).includes(t.token));
  });

  it('never shows the secret or its hash in list', async () => {
    const { tokens } = setup();
    const t = await tokens.create(checkout);
    const listed = JSON.stringify(await tokens.list());
    assert.ok(!listed.includes(t.token));
    assert.ok(!listed.includes('hash'));
    assert.equal((await tokens.list())[0]?.state, 'active');
  });

  it('redeems a join token for the identity it is bound to, with the token id', async () => {
    const { tokens } = setup();
    const t = await tokens.create(checkout);
    assert.deepEqual(await tokens.redeem(t.token, 'join', {}), { id: t.id, ...checkout });
  });

  it('attack: refuses a replayed join token', async () => {
    const { tokens } = setup();
    const t = await tokens.create(checkout);
    await tokens.redeem(t.token, 'join', {});
    await assert.rejects(tokens.redeem(t.token, 'join', {}), { code: 'MG_ATTEST_TOKEN_USED' });
    assert.equal((await tokens.list())[0]?.state, 'used');
  });

  it('attack: lets exactly one of many concurrent redemptions win', async () => {
    const { tokens } = setup();
    const t = await tokens.create(checkout);
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => tokens.redeem(t.token, 'join', {})));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code: string }).code, 'MG_ATTEST_TOKEN_USED');
  });

  it('attack: refuses an expired token, at the exact expiry instant', async () => {
    const { tokens, clock } = setup();
    const t = await tokens.create({ ...checkout, ttlSeconds: 60 });
    clock.advance(60_000);
    await assert.rejects(tokens.redeem(t.token, 'join', {}), { code: 'MG_ATTEST_TOKEN_EXPIRED' });
    assert.equal((await tokens.list())[0]?.state, 'expired');
  });

  it('accepts a token one millisecond before it expires', async () => {
    const { tokens, clock } = setup();
    const t = await tokens.create({ ...checkout, ttlSeconds: 60 });
    clock.advance(59_999);
    assert.equal((await tokens.redeem(t.token, 'join', {})).id, t.id);
  });

  it('attack: refuses a token presented for another identity, and does not burn it', async () => {
    const { tokens } = setup();
    const t = await tokens.create(checkout);
    await assert.rejects(tokens.redeem(t.token, 'join', { namespace: 'payments', serviceAccount: 'admin' }), { code: 'MG_ATTEST_IDENTITY_MISMATCH' });
    await assert.rejects(tokens.redeem(t.token, 'join', { namespace: 'orders' }), { code: 'MG_ATTEST_IDENTITY_MISMATCH' });
    assert.equal((await tokens.redeem(t.token, 'join', checkout)).id, t.id);
  });

  it('attack: refuses unknown, malformed and near-miss tokens alike', async () => {
    const { tokens } = setup();
    const t = await tokens.create(checkout);
    const flipped = (t.token[0] === 'A' ? 'B' : 'A') + t.token.slice(1);
    for (const bad of [flipped, 'not-a-token', '', `${t.token}x`, t.token.slice(1)]) {
      await assert.rejects(tokens.redeem(bad, 'join', {}), { code: 'MG_ATTEST_TOKEN_UNKNOWN', message: 'the token is not one this control plane issued' });
    }
  });

  it('attack: a token is useless under another pepper (a stolen database alone is not enough)', async () => {
    const { store, tokens } = setup();
    const t = await tokens.create(checkout);
    await assert.rejects(new TokenService(store, randomBytes(32)).redeem(t.token, 'join', {}), { code: 'MG_ATTEST_TOKEN_UNKNOWN' });
  });

  it('refuses a revoked token and a token of the other kind', async () => {
    const { tokens } = setup();
    const join = await tokens.create(checkout);
    const local = await tokens.create({ ...checkout, kind: 'local' });
    await assert.rejects(tokens.redeem(local.token, 'join', {}), { code: 'MG_ATTEST_WRONG_KIND' });
    await tokens.revoke(join.id);
    await assert.rejects(tokens.redeem(join.token, 'join', {}), { code: 'MG_ATTEST_TOKEN_REVOKED' });
    assert.equal(await tokens.isRevoked(join.id), true);
  });

  it('lets a local token be redeemed again until it expires', async () => {
    const { tokens, clock } = setup();
    const t = await tokens.create({ ...checkout, kind: 'local', ttlSeconds: 10 });
    await tokens.redeem(t.token, 'local', {});
    assert.equal((await tokens.redeem(t.token, 'local', {})).id, t.id);
    clock.advance(10_000);
    await assert.rejects(tokens.redeem(t.token, 'local', {}), { code: 'MG_ATTEST_TOKEN_EXPIRED' });
  });

  it('rejects bad names, TTLs and kinds when creating', async () => {
    const { tokens } = setup();
    for (const req of [
      { namespace: 'Payments', serviceAccount: 'x' }, { namespace: 'a', serviceAccount: '-x' },
      { ...checkout, ttlSeconds: 0 }, { ...checkout, ttlSeconds: 86_401 }, { ...checkout, ttlSeconds: 1.5 },
      { ...checkout, kind: 'admin' as 'join' },
    ]) {
      await assert.rejects(tokens.create(req), { code: 'MG_TOKEN_INVALID_REQUEST' }, JSON.stringify(req));
    }
  });

  it('reports revoking an unknown token', async () => {
    const { tokens } = setup();
    await assert.rejects(tokens.revoke('nope'), { code: 'MG_TOKEN_NOT_FOUND' });
  });
});
