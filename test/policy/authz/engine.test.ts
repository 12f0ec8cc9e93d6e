import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AUTHZ_ERROR_CODES,
  authorize,
  compileAuthorization,
  RBAC_DENIED_BODY,
  rbacAccessLogFlag,
  ruleName,
} from '../../../src/policy/authz/index.js';
import { meshWith, policiesFromYaml, request, WEBAPP } from './helpers.js';

const mesh = meshWith();

const catalogPolicies = policiesFromYaml(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: allow-catalog, namespace: istioinaction }
spec:
  selector: { matchLabels: { app: webapp } }
  rules:
  - from: [{ source: { principals: ["cluster.local/ns/default/sa/sleep"] } }]
    to: [{ operation: { methods: ["GET"], paths: ["/api/catalog*"] } }]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: { name: other-app, namespace: istioinaction }
spec:
  selector: { matchLabels: { app: catalog } }
  rules: [{}]
`);

describe('explain trace', () => {
  it('names the first failing field with expected and actual values', () => {
    const d = authorize(compileAuthorization(catalogPolicies, mesh), request({ principal: 'cluster.local/ns/default/sa/sleep', path: '/hello' }), { explain: true });
    assert.equal(d.decision, 'DENY');
    const entry = d.trace?.find((t) => t.policy === 'istioinaction/allow-catalog');
    assert.deepEqual(entry?.rules[0]?.mismatches, [
      { field: 'to[0].operation.paths', attribute: 'request.path', expected: ['/api/catalog*'], negated: false, actual: '/hello' },
    ]);
    assert.equal(entry?.note, 'no rule matched');
  });

  it('reports plaintext as the actual principal when a principal was required', () => {
    const d = authorize(compileAuthorization(catalogPolicies, mesh), request({ path: '/api/catalog' }), { explain: true });
    const m = d.trace?.[0]?.rules[0]?.mismatches?.[0];
    assert.equal(m?.field, 'from[0].source.principals');
    assert.equal(m?.actual, '(plaintext: no peer identity)');
  });

  it('lists policies of the namespace that do not apply, with the reason', () => {
    const d = authorize(compileAuthorization(catalogPolicies, mesh), request({ path: '/x' }), { explain: true });
    const skipped = d.trace?.find((t) => t.policy === 'istioinaction/other-app');
    assert.equal(skipped?.applies, false);
    assert.match(skipped?.scope ?? '', /selector/);
  });

  it('says which ALLOW rule was removed for TCP and which DENY fields were ignored', () => {
    const ps = policiesFromYaml(`
metadata: { name: allow-get, namespace: istioinaction }
spec: { rules: [{ to: [{ operation: { methods: ["GET"] } }] }] }
---
metadata: { name: deny-post-9000, namespace: istioinaction }
spec: { action: DENY, rules: [{ to: [{ operation: { methods: ["POST"], ports: ["9000"] } }] }] }
`);
    const d = authorize(compileAuthorization(ps, mesh), request({ protocol: 'tcp', port: 9000 }), { explain: true });
    assert.equal(d.decision, 'DENY');
    assert.equal(d.policy, 'istioinaction/deny-post-9000');
    const allow = d.trace?.find((t) => t.policy === 'istioinaction/allow-get');
    assert.match(allow?.rules[0]?.dropped ?? '', /HTTP-only.*removed for TCP/);
    const deny = d.trace?.find((t) => t.policy === 'istioinaction/deny-post-9000');
    assert.deepEqual(deny?.rules[0]?.ignored, ['to[0].operation.methods']);
  });

  it('is absent unless asked for', () => {
    const d = authorize(compileAuthorization(catalogPolicies, mesh), request());
    assert.equal(d.trace, undefined);
  });
});

describe('decision shape', () => {
  it('uses Istio rule names and Envoy response shapes', () => {
    assert.equal(ruleName('istioinaction', 'x', 0), 'ns[istioinaction]-policy[x]-rule[0]');
    assert.equal(rbacAccessLogFlag('ns[istioinaction]-policy[x]-rule[0]'), 'rbac_access_denied_matched_policy[ns[istioinaction]-policy[x]-rule[0]]');
    assert.equal(rbacAccessLogFlag(null), 'rbac_access_denied_matched_policy[none]');
    assert.equal(RBAC_DENIED_BODY, 'RBAC: access denied');
  });

  it('reports the matching DENY rule that sorts first by generated name, as Envoy’s policy map does', () => {
    const ps = policiesFromYaml(`
metadata: { name: zz-deny, namespace: istioinaction }
spec: { action: DENY, rules: [{}] }
---
metadata: { name: aa-deny, namespace: istioinaction }
spec: { action: DENY, rules: [{ to: [{ operation: { paths: ["/nope"] } }] }, {}] }
`);
    const d = authorize(compileAuthorization(ps, mesh), request());
    assert.equal(d.ruleName, 'ns[istioinaction]-policy[aa-deny]-rule[1]');
    assert.equal(d.rule, 1);
  });

  it('denies everything a CUSTOM policy with an undefined provider selects, with a reason naming it', () => {
    const ps = policiesFromYaml(`
metadata: { name: ext, namespace: istioinaction }
spec: { action: CUSTOM, provider: { name: missing }, rules: [{ to: [{ operation: { paths: ["/admin"] } }] }] }
`);
    const c = compileAuthorization(ps, mesh);
    assert.equal(c.issues[0]?.code, AUTHZ_ERROR_CODES.unknownProvider);
    const d = authorize(c, request({ path: '/public' }));
    assert.equal(d.decision, 'DENY');
    assert.equal(d.status, 403);
    assert.match(d.reason, /provider "missing".*not defined/);
  });

  it('denies when CUSTOM policies name two providers for one workload', () => {
    const ps = policiesFromYaml(`
metadata: { name: ext-a, namespace: istioinaction }
spec: { action: CUSTOM, provider: { name: a }, rules: [{}] }
---
metadata: { name: ext-b, namespace: istioinaction }
spec: { action: CUSTOM, provider: { name: b }, rules: [{}] }
`);
    const d = authorize(compileAuthorization(ps, meshWith({ extensionProviders: [{ name: 'a' }, { name: 'b' }] })), request());
    assert.equal(d.decision, 'DENY');
    assert.match(d.reason, /only one is supported/);
  });

  it('applies targetRefs to the named Service only', () => {
    const ps = policiesFromYaml(`
metadata: { name: by-target, namespace: istioinaction }
spec: { targetRefs: [{ kind: Service, group: "", name: webapp }], rules: [{ to: [{ operation: { paths: ["/ok"] } }] }] }
`);
    const c = compileAuthorization(ps, mesh);
    assert.equal(authorize(c, request({ workload: { ...WEBAPP, services: ['webapp'] }, path: '/no' })).decision, 'DENY');
    assert.equal(authorize(c, request({ workload: { ...WEBAPP, services: ['other'] }, path: '/no' })).decision, 'ALLOW');
  });

  it('maps principals written in cluster.local to the mesh trust domain', () => {
    const ps = policiesFromYaml(`
metadata: { name: p, namespace: istioinaction }
spec: { rules: [{ from: [{ source: { principals: ["cluster.local/ns/default/sa/sleep"] } }] }] }
`);
    const c = compileAuthorization(ps, meshWith({ trustDomain: 'example.org' }));
    assert.equal(authorize(c, request({ principal: 'example.org/ns/default/sa/sleep' })).decision, 'ALLOW');
    assert.equal(authorize(c, request({ principal: 'cluster.local/ns/default/sa/sleep' })).decision, 'DENY');
  });

  it('gives the same answer for a reused workload object and for a fresh equal one', () => {
    const c = compileAuthorization(catalogPolicies, mesh);
    const req = request({ principal: 'cluster.local/ns/default/sa/sleep', path: '/api/catalog' });
    assert.equal(authorize(c, req).decision, 'ALLOW');
    assert.equal(authorize(c, req).decision, 'ALLOW');
    assert.equal(authorize(c, { ...req, workload: { namespace: 'istioinaction', labels: { app: 'webapp' } } }).decision, 'ALLOW');
    assert.equal(authorize(c, { ...req, workload: { namespace: 'istioinaction', labels: { app: 'other' } } }).decision, 'ALLOW');
  });
});

describe('misuse and malformed input', () => {
  it('throws TypeError for a request without workload or protocol', () => {
    const c = compileAuthorization([], mesh);
    assert.throws(() => authorize(c, {} as never), TypeError);
    assert.throws(() => authorize(c, { ...request(), protocol: 'udp' } as never), TypeError);
    assert.throws(() => authorize(c, { ...request(), http: undefined }), TypeError);
  });

  it('throws TypeError when policies is not an array', () => {
    assert.throws(() => compileAuthorization({} as never, mesh), TypeError);
  });

  it('reports an unknown action and denies what the policy selects', () => {
    const ps = policiesFromYaml(`
metadata: { name: odd, namespace: istioinaction }
spec: { action: PERMIT, rules: [{}] }
`);
    const c = compileAuthorization(ps, mesh);
    assert.equal(c.issues[0]?.code, AUTHZ_ERROR_CODES.invalidPolicy);
    assert.equal(c.issues[0]?.effect, 'denies-all');
    assert.equal(authorize(c, request()).decision, 'DENY');
  });

  it('never crashes on garbage inside rules', () => {
    const garbage = [null, 1, 'x', [], { from: 1 }, { to: [null] }, { when: [{ key: 5 }] }, { from: [{ source: { principals: [null] } }] }];
    for (const action of ['ALLOW', 'DENY', 'AUDIT']) {
      const ps = policiesFromYaml(`metadata: { name: g, namespace: istioinaction }\nspec: { action: ${action} }`);
      (ps[0] as { spec: { rules: unknown } }).spec.rules = garbage;
      const c = compileAuthorization(ps, mesh);
      assert.ok(c.issues.length > 0);
      const d = authorize(c, request(), { explain: true });
      assert.ok(['ALLOW', 'DENY'].includes(d.decision));
    }
  });

  it('warns that a principal written with spiffe:// never matches', () => {
    const ps = policiesFromYaml(`
metadata: { name: s, namespace: istioinaction }
spec: { rules: [{ from: [{ source: { principals: ["spiffe://cluster.local/ns/a/sa/b"] } }] }] }
`);
    const c = compileAuthorization(ps, mesh);
    assert.equal(c.issues[0]?.code, AUTHZ_ERROR_CODES.invalidValue);
    assert.match(c.issues[0]?.message ?? '', /without "spiffe:\/\/"/);
  });
});
