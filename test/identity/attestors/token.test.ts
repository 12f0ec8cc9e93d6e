import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttestationError, builtinAttestors, ATTESTOR_TYPES, tokenAttestor, type TokenRedeemer } from '../../../src/identity/attestors/index.js';

const redeemer = (calls: unknown[]): TokenRedeemer => ({
  async redeem(secret, kind, claimed) {
    calls.push({ secret, kind, claimed });
    if (secret !== 'good') throw new AttestationError('MG_ATTEST_TOKEN_UNKNOWN', 'unknown');
    return { id: 't1', namespace: 'payments', serviceAccount: 'checkout' };
  },
});

describe('token attestors', () => {
  it('turn a redeemed token into its identity and selectors naming the attestor, ns, sa and token', async () => {
    const calls: unknown[] = [];
    const a = await tokenAttestor('local', redeemer(calls)).attest({ token: 'good', namespace: 'payments' });
    assert.deepEqual(a, {
      namespace: 'payments', serviceAccount: 'checkout', tokenId: 't1',
      selectors: ['meshguard:attestor:local', 'meshguard:ns:payments', 'meshguard:sa:checkout', 'meshguard:token:t1'],
    });
    assert.deepEqual(calls, [{ secret: 'good', kind: 'local', claimed: { namespace: 'payments', serviceAccount: undefined } }]);
  });

  it('pass the redeemer error through and refuse empty evidence before redeeming', async () => {
    const calls: unknown[] = [];
    const join = tokenAttestor('join', redeemer(calls));
    await assert.rejects(join.attest({ token: 'bad' }), { code: 'MG_ATTEST_TOKEN_UNKNOWN' });
    await assert.rejects(join.attest({ token: '' }), { code: 'MG_ATTEST_MALFORMED' });
    assert.equal(calls.length, 1);
  });

  it('are listed once with k8s-psat, which is on only with a reviewer', () => {
    assert.deepEqual([...ATTESTOR_TYPES], ['join', 'local', 'k8s-psat']);
    assert.deepEqual([...builtinAttestors({ tokens: redeemer([]) }).keys()], ['join', 'local']);
    assert.deepEqual([...builtinAttestors({ tokens: redeemer([]), reviewToken: async (r) => r }).keys()], ['join', 'local', 'k8s-psat']);
  });
});
