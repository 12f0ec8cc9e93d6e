/**
 * The Istio in Action chapter 9 walk-through (seed 004, sections 9.2–9.4), step by
 * step, with the chapter's own YAML from examples/istio-in-action/ch9 and the
 * outcomes the text shows at each step.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseDocuments, ResourceSet } from '../../src/config/index.js';
import { compileDecisionConfig, decideRequest, type RequestFacts, type RequestOutcome } from '../../src/policy/decide.js';
import { inlineKeyResolver } from '../../src/policy/jwt/index.js';

const EX = 'examples/istio-in-action';
const BASE = [`${EX}/workloads.yaml`, `${EX}/services.yaml`];

function configOf(...steps: string[]) {
  const files = [...BASE, ...steps.map((s) => `${EX}/ch9/${s}`)];
  const loaded = parseDocuments(files.map((file) => ({ file, text: readFileSync(file, 'utf8') })));
  assert.deepEqual(loaded.errors.map((e) => e.message), []);
  const set = new ResourceSet(loaded.resources);
  return compileDecisionConfig(loaded.mesh, {
    peerAuthentications: set.ofKind('PeerAuthentication'),
    requestAuthentications: set.ofKind('RequestAuthentication'),
    authorizationPolicies: set.ofKind('AuthorizationPolicy'),
  });
}

const webapp = { namespace: 'istioinaction', labels: { app: 'webapp' }, services: ['webapp'] };
const catalog = { namespace: 'istioinaction', labels: { app: 'catalog' }, services: ['catalog'] };
const gateway = { namespace: 'istio-system', labels: { app: 'istio-ingressgateway' } };

/** `kubectl exec deploy/sleep -- curl webapp.istioinaction/<path>`: legacy sleep has no sidecar, so plaintext. */
function sleepTo(workload: typeof webapp, port: number, path: string, principal?: string): RequestFacts {
  return {
    workload, port, protocol: 'http',
    source: { principal, ip: '10.10.0.16' },
    http: { method: 'GET', host: `${workload.labels.app}.istioinaction`, path, headers: {} },
  };
}
const webappToCatalog: RequestFacts = {
  workload: catalog, port: 3000, protocol: 'http',
  source: { principal: 'cluster.local/ns/istioinaction/sa/webapp', ip: '10.10.0.17' },
  http: { method: 'GET', host: 'catalog.istioinaction', path: '/items', headers: {} },
};

async function decide(steps: string[], facts: RequestFacts): Promise<RequestOutcome> {
  return decideRequest(configOf(...steps), facts, inlineKeyResolver(), new Date('2026-11-23T00:00:00Z'));
}

describe('Istio in Action 9.2: mutual TLS with PeerAuthentication', () => {
  it('accepts plaintext from the legacy sleep workload before any policy (PERMISSIVE by default)', async () => {
    const out = await decide([], sleepTo(webapp, 8080, '/api/catalog'));
    assert.equal(out.mtls.mode, 'PERMISSIVE');
    assert.equal(out.response, 200);
  });

  it('closes plaintext connections once the mesh-wide STRICT policy is applied (curl exit 56)', async () => {
    const out = await decide(['meshwide-strict-peer-authn.yaml'], sleepTo(webapp, 8080, '/api/catalog'));
    assert.equal(out.mtls.mode, 'STRICT');
    assert.equal(out.mtls.policy, 'istio-system/default');
    assert.equal(out.connection, 'closed');
    assert.equal(out.response, 'connection-closed');
  });

  it('accepts plaintext again with the namespace-wide PERMISSIVE policy overriding the mesh', async () => {
    const out = await decide(['meshwide-strict-peer-authn.yaml', 'namespace-permissive-peer-authn.yaml'], sleepTo(webapp, 8080, '/api/catalog'));
    assert.equal(out.mtls.policy, 'istioinaction/default');
    assert.equal(out.response, 200);
  });

  it('with the workload-specific PERMISSIVE policy: webapp accepts plaintext, catalog stays STRICT', async () => {
    const steps = ['meshwide-strict-peer-authn.yaml', 'workload-permissive-peer-authn.yaml'];
    const toWebapp = await decide(steps, sleepTo(webapp, 8080, '/api/catalog'));
    assert.equal(toWebapp.mtls.policy, 'istioinaction/webapp');
    assert.equal(toWebapp.response, 200);
    const toCatalog = await decide(steps, sleepTo(catalog, 3000, '/items'));
    assert.equal(toCatalog.response, 'connection-closed');
    assert.equal((await decide(steps, webappToCatalog)).response, 200);
  });
});

describe('Istio in Action 9.3: authorization with AuthorizationPolicy', () => {
  const mtls = ['meshwide-strict-peer-authn.yaml', 'workload-permissive-peer-authn.yaml'];

  it('allow-catalog-requests-in-web-app allows /api/catalog* and denies other paths by default', async () => {
    const steps = [...mtls, 'allow-catalog-requests-in-web-app.yaml'];
    const ok = await decide(steps, sleepTo(webapp, 8080, '/api/catalog'));
    assert.equal(ok.response, 200);
    assert.equal(ok.authz?.ruleName, 'ns[istioinaction]-policy[allow-catalog-requests-in-web-app]-rule[0]');
    const denied = await decide(steps, sleepTo(webapp, 8080, '/hello/world'));
    assert.equal(denied.response, 403);
    assert.equal(denied.authz?.policy, null, 'denied by default: no ALLOW rule matched');
  });

  it('the mesh-wide deny-all (spec: {}) denies every request (rbac_access_denied_matched_policy[none])', async () => {
    const out = await decide([...mtls, 'policy-deny-all-mesh.yaml'], sleepTo(webapp, 8080, '/api/catalog'));
    assert.equal(out.response, 403);
    assert.equal(out.authz?.ruleName, null);
    assert.equal((await decide([...mtls, 'policy-deny-all-mesh.yaml'], webappToCatalog)).response, 403);
  });

  it('allow-all (rules: [{}]) in the root namespace allows everything', async () => {
    const out = await decide([...mtls, 'policy-allow-all-mesh.yaml'], sleepTo(webapp, 8080, '/anything'));
    assert.equal(out.response, 200);
    assert.equal(out.authz?.policy, 'istio-system/allow-all');
  });

  it('webapp-allow-view-default-ns allows GET from the default namespace over mTLS, never from plaintext sleep', async () => {
    const steps = [...mtls, 'policy-deny-all-mesh.yaml', 'webapp-allow-view-default-ns.yaml'];
    const meshed = await decide(steps, sleepTo(webapp, 8080, '/api/catalog', 'cluster.local/ns/default/sa/sleep'));
    assert.equal(meshed.response, 200);
    const legacy = await decide(steps, sleepTo(webapp, 8080, '/api/catalog'));
    assert.equal(legacy.response, 403);
  });

  it('webapp-allow-unauthenticated-view-default-ns lets legacy sleep reach webapp, while deny-all still blocks webapp → catalog', async () => {
    const steps = [...mtls, 'policy-deny-all-mesh.yaml', 'webapp-allow-view-default-ns.yaml', 'allow-unauthenticated-view-default-ns.yaml'];
    assert.equal((await decide(steps, sleepTo(webapp, 8080, '/api/catalog'))).response, 200);
    assert.equal((await decide(steps, webappToCatalog)).response, 403);
  });

  it('catalog-viewer admits only the webapp service account to catalog', async () => {
    const steps = [...mtls, 'policy-deny-all-mesh.yaml', 'allow-unauthenticated-view-default-ns.yaml', 'catalog-viewer-policy.yaml'];
    assert.equal((await decide(steps, webappToCatalog)).response, 200);
    const impostor = { ...webappToCatalog, source: { principal: 'cluster.local/ns/default/sa/sleep' } };
    assert.equal((await decide(steps, impostor)).response, 403);
    assert.equal((await decide(steps, sleepTo(catalog, 3000, '/items'))).response, 'connection-closed');
  });
});

describe('Istio in Action 9.4: end-user authorization at the ingress gateway', () => {
  const steps = ['enduser/jwt-token-request-authn.yaml', 'enduser/app-gw-requires-jwt.yaml', 'enduser/allow-all-with-jwt-to-webapp.yaml', 'enduser/allow-mesh-all-ops-admin.yaml'];
  const viaGateway = (method: string, claims?: Record<string, unknown>): RequestFacts => ({
    workload: gateway, port: 30000, protocol: 'http', source: { ip: '172.18.0.1' },
    http: { method, host: 'webapp.istioinaction.io:30000', path: '/api/catalog', headers: {} },
    claims,
  });
  const user = { iss: 'auth@istioinaction.io', sub: '9b792b56-7dfa-4e4b-a83f-e20679115d79', group: 'user' };
  const admin = { iss: 'auth@istioinaction.io', sub: '218d3fb9-4628-4d20-943c-124281c80e7b', group: 'admin' };

  it('denies requests without a token with app-gw-requires-jwt', async () => {
    const out = await decide(steps, viaGateway('GET'));
    assert.equal(out.response, 403);
    assert.equal(out.authz?.policy, 'istio-system/app-gw-requires-jwt');
  });

  it('lets a user read (GET) but not write (DELETE)', async () => {
    assert.equal((await decide(steps, viaGateway('GET', user))).response, 200);
    assert.equal((await decide(steps, viaGateway('DELETE', user))).response, 403);
  });

  it('lets an admin do everything through allow-mesh-all-ops-admin', async () => {
    const out = await decide(steps, viaGateway('DELETE', admin));
    assert.equal(out.response, 200);
    assert.equal(out.authz?.policy, 'istio-system/allow-mesh-all-ops-admin');
  });

  it('refuses a token that does not verify with 401 before authorization', async () => {
    const facts = { ...viaGateway('GET'), token: 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhdXRoQGlzdGlvaW5hY3Rpb24uaW8ifQ.AAAA' };
    const out = await decide(steps, facts);
    assert.equal(out.response, 401);
    assert.equal(out.authz, null);
  });
});

describe('request decisions outside the chapter', () => {
  it('refuses a path Envoy rejects (%00) with 400 before authentication and authorization', async () => {
    const out = await decide([], sleepTo(webapp, 8080, '/api/%00catalog'));
    assert.equal(out.response, 400);
    assert.equal(out.authz, null);
  });

  it('drops the peer identity on a DISABLE port: the connection is plaintext there', async () => {
    const cfg = compileDecisionConfig(
      parseDocuments([{ file: 'pa.yaml', text: 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: off, namespace: istioinaction}\nspec: {mtls: {mode: DISABLE}}\n' }]).mesh,
      {
        peerAuthentications: parseDocuments([{ file: 'pa.yaml', text: 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: off, namespace: istioinaction}\nspec: {mtls: {mode: DISABLE}}\n' }]).resources as never,
        requestAuthentications: [],
        authorizationPolicies: parseDocuments([{ file: 'ap.yaml', text: 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: p, namespace: istioinaction}\nspec: {rules: [{from: [{source: {principals: ["*"]}}]}]}\n' }]).resources as never,
      },
    );
    const out = await decideRequest(cfg, webappToCatalog, inlineKeyResolver(), new Date());
    assert.equal(out.mtls.mode, 'DISABLE');
    assert.match(out.identityNote ?? '', /DISABLE/);
    assert.equal(out.response, 403, 'principals: ["*"] needs a peer identity, which a DISABLE port never has');
  });
});

describe('claims given as already validated', () => {
  const steps = ['enduser/jwt-token-request-authn.yaml'];
  const viaGateway = (claims: Record<string, unknown>): RequestFacts => ({
    workload: gateway, port: 8080, protocol: 'http', source: { ip: '172.18.0.1' },
    http: { method: 'GET', host: 'webapp.istioinaction.io:30000', path: '/api/catalog?x=1', headers: {} },
    claims,
  });

  it('take the principal iss/sub when an applying jwtRules entry names the issuer', async () => {
    const out = await decide(steps, viaGateway({ iss: 'auth@istioinaction.io', sub: 'u1', aud: ['a', 'b'] }));
    assert.equal(out.authn.result, 'valid');
    assert.equal(out.authn.result === 'valid' && out.authn.principal, 'auth@istioinaction.io/u1');
    assert.deepEqual(out.authn.result === 'valid' && out.authn.audiences, ['a', 'b']);
  });

  it('get 401 "Jwt issuer is not configured" when no applying rule names their issuer, as the token would', async () => {
    const out = await decide(steps, viaGateway({ iss: 'someone@else', sub: 'u1' }));
    assert.equal(out.response, 401);
    assert.equal(out.authn.result === 'invalid' && out.authn.body, 'Jwt issuer is not configured');
    assert.equal(out.authn.result === 'invalid' && out.authn.wwwAuthenticate, 'Bearer realm="http://webapp.istioinaction.io:30000/api/catalog", error="invalid_token"');
  });

  it('are ignored, like the token, when no RequestAuthentication applies to the workload', async () => {
    const out = await decide([], viaGateway({ iss: 'auth@istioinaction.io', sub: 'u1' }));
    assert.equal(out.authn.result, 'absent');
    assert.equal(out.response, 200);
  });
});
