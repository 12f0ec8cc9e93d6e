// Istio in Action, 9.4.3 "Validating JWTs with RequestAuthentication" (seed 004):
// the ingress gateway's RequestAuthentication for auth@istioinaction.io, with
// an inline JWKS of a key generated here instead of the book's.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MESH_CONFIG, type RequestAuthentication } from '../../../src/config/kinds.js';
import { authenticate, inlineKeyResolver, jwtRulesOf, requestAuthenticationsFor } from '../../../src/policy/jwt/index.js';
import { fromYaml } from '../mtls/resources.js';
import { makeIssuer, type TestIssuer } from './signer.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const gateway = { namespace: 'istio-system', labels: { app: 'istio-ingressgateway' } };
const keys = inlineKeyResolver();
const get = (token?: string) => ({
  headers: { host: 'webapp.istioinaction.io:30000', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  path: '/api/catalog',
});

describe('Istio in Action 9.4.3: RequestAuthentication on the ingress gateway', () => {
  let issuer: TestIssuer;
  let policies: RequestAuthentication[];
  before(async () => {
    issuer = await makeIssuer('RS256');
    policies = fromYaml<RequestAuthentication>(`
apiVersion: "security.istio.io/v1beta1"
kind: "RequestAuthentication"
metadata:
  name: "jwt-token-request-authn"
  namespace: istio-system
spec:
  selector:
    matchLabels:
      app: istio-ingressgateway
  jwtRules:
  - issuer: "auth@istioinaction.io"
    jwks: |
      ${issuer.jwks}
`);
  });
  const rules = () => jwtRulesOf(requestAuthenticationsFor(policies, DEFAULT_MESH_CONFIG, gateway)).rules;

  it('applies to the ingress gateway only', () => {
    assert.equal(rules().length, 1);
    const webapp = { namespace: 'istioinaction', labels: { app: 'webapp' } };
    assert.deepEqual(requestAuthenticationsFor(policies, DEFAULT_MESH_CONFIG, webapp), []);
  });

  it('accepts a token from the valid issuer and stores its claims', async () => {
    const admin = await issuer.sign({ iss: 'auth@istioinaction.io', sub: '218d3fb9-4628-4d20-943c-124281c80e7b', group: 'admin', exp: 4745145071 });
    const r = await authenticate(rules(), get(admin), keys, NOW);
    assert.equal(r.result, 'valid');
    if (r.result !== 'valid') return;
    assert.equal(r.principal, 'auth@istioinaction.io/218d3fb9-4628-4d20-943c-124281c80e7b');
    assert.equal(r.claims.group, 'admin');
  });

  it('rejects a token from old-auth@istioinaction.io with 401 Jwt issuer is not configured', async () => {
    const wrong = await issuer.sign({ iss: 'old-auth@istioinaction.io', sub: '79d7506c-b617-46d1-bc1f-f511b5d30ab0', group: 'user', exp: 4745151548 });
    const r = await authenticate(rules(), get(wrong), keys, NOW);
    assert.equal(r.result, 'invalid');
    if (r.result !== 'invalid') return;
    assert.deepEqual([r.status, r.body, r.body.length], [401, 'Jwt issuer is not configured', 28]);
  });

  it('rejects an invalid token with 401', async () => {
    const user = await issuer.sign({ iss: 'auth@istioinaction.io', sub: 'u', group: 'user' });
    const tampered = `${user.slice(0, -4)}AAAA`;
    const r = await authenticate(rules(), get(tampered), keys, NOW);
    assert.equal(r.result === 'invalid' && r.status, 401);
  });

  it('admits a request without a token, with no request principal', async () => {
    const r = await authenticate(rules(), get(), keys, NOW);
    assert.equal(r.result, 'absent');
  });
});
