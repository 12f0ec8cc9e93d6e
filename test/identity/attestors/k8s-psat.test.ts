import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { k8sPsatAttestor, type TokenReview } from '../../../src/identity/attestors/index.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/k8s/${name}.json`, import.meta.url), 'utf8'));

/** A reviewer that records the request and replays a recorded answer. */
function replay(name: string) {
  const sent: TokenReview[] = [];
  const reviewer = async (review: TokenReview) => {
    sent.push(review);
    return fixture(name) as TokenReview;
  };
  return { sent, attestor: k8sPsatAttestor(reviewer) };
}

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.projected.token';

describe('k8s-psat attestor (recorded TokenReview responses)', () => {
  it('sends a v1 TokenReview for audience meshguard with the token', async () => {
    const { sent, attestor } = replay('authenticated');
    await attestor.attest({ token: TOKEN });
    assert.deepEqual(sent, [{ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: TOKEN, audiences: ['meshguard'] } }]);
  });

  it('takes namespace and service account from the review answer, with pod selectors', async () => {
    const { attestor } = replay('authenticated');
    assert.deepEqual(await attestor.attest({ token: TOKEN }), {
      namespace: 'payments', serviceAccount: 'checkout-service',
      selectors: ['k8s:ns:payments', 'k8s:sa:checkout-service', 'k8s:pod-name:checkout-7d9f8b6c5-x2x4z', 'k8s:pod-uid:3b9d7e21-4f5a-4c8b-9e0d-1a2b3c4d5e6f'],
    });
  });

  it('refuses a token Kubernetes did not authenticate, with its reason', async () => {
    await assert.rejects(replay('unauthenticated').attestor.attest({ token: TOKEN }),
      { code: 'MG_ATTEST_UNAUTHENTICATED', message: 'Kubernetes did not authenticate the token: [invalid bearer token, service account token has expired]' });
  });

  it('attack: refuses a token minted for another audience', async () => {
    await assert.rejects(replay('wrong-audience').attestor.attest({ token: TOKEN }), { code: 'MG_ATTEST_UNAUTHENTICATED' });
  });

  it('attack: refuses an authenticated answer that does not name audience meshguard (audience-agnostic server)', async () => {
    await assert.rejects(replay('audience-agnostic').attestor.attest({ token: TOKEN }), { code: 'MG_ATTEST_WRONG_AUDIENCE' });
  });

  it('refuses a user token that is not a service account', async () => {
    await assert.rejects(replay('not-service-account').attestor.attest({ token: TOKEN }), { code: 'MG_ATTEST_NOT_SERVICE_ACCOUNT' });
  });

  it('attack: refuses a valid token presented for another identity', async () => {
    await assert.rejects(replay('authenticated').attestor.attest({ token: TOKEN, namespace: 'payments', serviceAccount: 'admin' }),
      { code: 'MG_ATTEST_IDENTITY_MISMATCH' });
  });

  it('fails closed when the TokenReview API errors, without echoing the token', async () => {
    const status = fixture('error-forbidden') as { message: string };
    // Shaped as @kubernetes/client-node's ApiException (code, body); that package cannot load on Node 20 (see the k8s-psat note).
    const apiError = Object.assign(new Error(`HTTP-Code: 403\nMessage: ${status.message}`), { code: 403, body: status });
    const attestor = k8sPsatAttestor(async () => { throw apiError; });
    await assert.rejects(attestor.attest({ token: TOKEN }), (err: { code: string; message: string }) => {
      assert.equal(err.code, 'MG_ATTEST_UNAVAILABLE');
      assert.match(err.message, /HTTP 403.*system:auth-delegator/);
      assert.ok(!err.message.includes(TOKEN));
      return true;
    });
  });

  it('refuses evidence without a token before calling the API', async () => {
    const { sent, attestor } = replay('authenticated');
    await assert.rejects(attestor.attest({ token: '' }), { code: 'MG_ATTEST_MALFORMED' });
    assert.equal(sent.length, 0);
  });

  it('refuses a username with extra segments', async () => {
    const answer = fixture('authenticated') as TokenReview;
    answer.status!.user!.username = 'system:serviceaccount:payments:checkout:extra';
    await assert.rejects(k8sPsatAttestor(async () => answer).attest({ token: TOKEN }), { code: 'MG_ATTEST_NOT_SERVICE_ACCOUNT' });
  });
});
