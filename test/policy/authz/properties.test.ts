/** Invariants of the decision, checked on random policies and requests (fast-check). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AuthorizationPolicy, AuthzRule } from '../../../src/config/kinds.js';
import { authorize, compileAuthorization, type AuthzDecision, type AuthzRequest } from '../../../src/policy/authz/index.js';
import { meshWith, request, toPolicy } from './helpers.js';

const mesh = meshWith({ extensionProviders: [{ name: 'ext' }] });
const RUNS = { numRuns: 150 };

const principal = fc.constantFrom('cluster.local/ns/ns1/sa/a', 'cluster.local/ns/ns2/sa/b', 'other.td/ns/ns1/sa/a');
const source = fc.record(
  {
    principals: fc.array(fc.constantFrom('cluster.local/ns/ns1/sa/a', '*', 'cluster.local/ns/ns2/*', '*/sa/b'), { minLength: 1, maxLength: 2 }),
    notPrincipals: fc.array(principal, { minLength: 1, maxLength: 1 }),
    namespaces: fc.array(fc.constantFrom('ns1', 'ns2', 'ns*'), { minLength: 1, maxLength: 2 }),
    ipBlocks: fc.array(fc.constantFrom('10.0.0.0/8', '192.168.1.1', '::1'), { minLength: 1, maxLength: 2 }),
    requestPrincipals: fc.array(fc.constantFrom('*', 'iss/*', 'iss/u1'), { minLength: 1, maxLength: 1 }),
  },
  { requiredKeys: [] },
);
const operation = fc.record(
  {
    methods: fc.array(fc.constantFrom('GET', 'POST', 'DELETE'), { minLength: 1, maxLength: 2 }),
    paths: fc.array(fc.constantFrom('/a', '/a/*', '*.js', '/b/{*}', '*'), { minLength: 1, maxLength: 2 }),
    notPaths: fc.array(fc.constantFrom('/a', '/b*'), { minLength: 1, maxLength: 1 }),
    ports: fc.array(fc.constantFrom('80', '8080'), { minLength: 1, maxLength: 1 }),
    hosts: fc.array(fc.constantFrom('web', 'web:*', '*.io'), { minLength: 1, maxLength: 1 }),
  },
  { requiredKeys: [] },
);
const condition = fc.oneof(
  fc.record({ key: fc.constant('request.headers[x-k]'), values: fc.array(fc.constantFrom('v', 'v*', '*'), { minLength: 1, maxLength: 2 }) }),
  fc.record({ key: fc.constant('request.auth.claims[groups]'), notValues: fc.constant(['banned']) }),
  fc.record({ key: fc.constant('destination.port'), values: fc.constant(['8080']) }),
);
const rule = fc.record(
  {
    from: fc.array(source.map((s) => ({ source: s })), { minLength: 1, maxLength: 2 }),
    to: fc.array(operation.map((o) => ({ operation: o })), { minLength: 1, maxLength: 2 }),
    when: fc.array(condition, { minLength: 1, maxLength: 2 }),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<AuthzRule>;

let serial = 0;
function policyArb(actions: ('ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM')[], dryRun: fc.Arbitrary<boolean> = fc.constant(false)): fc.Arbitrary<AuthorizationPolicy> {
  return fc
    .record({
      action: fc.constantFrom(...actions),
      ns: fc.constantFrom('istio-system', 'ns1', 'ns2'),
      selector: fc.option(fc.constantFrom('web', 'db'), { nil: undefined }),
      rules: fc.option(fc.array(rule, { maxLength: 3 }), { nil: undefined }),
      dryRun,
    })
    .map((p) =>
      toPolicy({
        metadata: { name: `p${serial++}`, namespace: p.ns, annotations: p.dryRun ? { 'istio.io/dry-run': 'true' } : undefined },
        spec: { action: p.action, selector: p.selector ? { matchLabels: { app: p.selector } } : undefined, rules: p.rules, provider: p.action === 'CUSTOM' ? { name: 'ext' } : undefined },
      }),
    );
}

const requestArb: fc.Arbitrary<AuthzRequest> = fc
  .record({
    app: fc.constantFrom('web', 'db'),
    protocol: fc.constantFrom('http' as const, 'tcp' as const),
    principal: fc.option(principal, { nil: undefined }),
    ip: fc.constantFrom('10.1.2.3', '192.168.1.1', '::1'),
    port: fc.constantFrom(80, 8080),
    method: fc.constantFrom('GET', 'POST', 'DELETE'),
    path: fc.constantFrom('/a', '/a/x', '/b/c', '/app.js', '/./a', '/b/%61'),
    host: fc.constantFrom('web', 'web:8080', 'x.io'),
    header: fc.option(fc.constantFrom('v', 'vv', ''), { nil: undefined }),
    jwt: fc.option(fc.record({ sub: fc.constantFrom('u1', 'u2'), groups: fc.constantFrom(['banned'], ['dev']) }), { nil: undefined }),
  })
  .map((r) =>
    request({
      workload: { namespace: 'ns1', labels: { app: r.app } },
      protocol: r.protocol,
      principal: r.principal,
      ip: r.ip,
      port: r.port,
      method: r.method,
      path: r.path,
      host: r.host,
      headers: r.header === undefined ? {} : { 'X-K': r.header },
      jwt: r.jwt ? { iss: 'iss', sub: r.jwt.sub, groups: r.jwt.groups } : undefined,
    }),
  );

const decide = (ps: AuthorizationPolicy[], req: AuthzRequest, explain = false): AuthzDecision => authorize(compileAuthorization(ps, mesh), req, { explain });
const core = (d: AuthzDecision) => ({ decision: d.decision, status: d.status, policy: d.policy, rule: d.rule });
const anyPolicies = fc.array(policyArb(['ALLOW', 'DENY', 'AUDIT', 'CUSTOM']), { maxLength: 6 });

describe('authorization invariants', () => {
  it('allows every request when no policy exists', () => {
    fc.assert(fc.property(requestArb, (req) => decide([], req).decision === 'ALLOW'), RUNS);
  });

  it('never turns a DENY into an ALLOW by adding a DENY policy', () => {
    fc.assert(
      fc.property(anyPolicies, policyArb(['DENY']), requestArb, (ps, extra, req) => {
        if (decide(ps, req).decision !== 'DENY') return true;
        return decide([...ps, extra], req).decision === 'DENY';
      }),
      RUNS,
    );
  });

  it('never changes the decision by adding an AUDIT or a dry-run policy', () => {
    const passive = fc.oneof(policyArb(['AUDIT']), policyArb(['ALLOW', 'DENY'], fc.constant(true)));
    fc.assert(
      fc.property(anyPolicies, passive, requestArb, (ps, extra, req) => {
        assert.deepEqual(core(decide([...ps, extra], req)), core(decide(ps, req)));
      }),
      RUNS,
    );
  });

  it('only narrows when an ALLOW policy is added to a workload that had none', () => {
    fc.assert(
      fc.property(fc.array(policyArb(['DENY', 'AUDIT']), { maxLength: 5 }), policyArb(['ALLOW']), requestArb, (ps, extra, req) => {
        if (decide(ps, req).decision === 'ALLOW') return true;
        return decide([...ps, extra], req).decision !== 'ALLOW';
      }),
      RUNS,
    );
  });

  it('gives the same decision with and without the explain trace', () => {
    fc.assert(
      fc.property(anyPolicies, requestArb, (ps, req) => {
        const compiled = compileAuthorization(ps, mesh);
        const fast = authorize(compiled, req);
        const slow = authorize(compiled, req, { explain: true });
        assert.equal(fast.trace, undefined);
        assert.ok(Array.isArray(slow.trace));
        assert.deepEqual(core(slow), core(fast));
        assert.deepEqual(slow.audit, fast.audit);
        assert.deepEqual(slow.dryRun, fast.dryRun);
      }),
      { numRuns: 300 },
    );
  });
});
