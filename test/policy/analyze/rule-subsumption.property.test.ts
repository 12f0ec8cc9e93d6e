/**
 * `ruleCovers(D, R)` is used to call an ALLOW rule R dead because a DENY rule D
 * matches everything R matches. A wrong `true` would hide a live rule behind a
 * false warning, so it is checked against the real engine: whenever it says
 * true, no request may be allowed by a config holding DENY{D} and ALLOW{R}.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_MESH_CONFIG, type AuthorizationPolicy, type AuthzRule } from '../../../src/config/kinds.js';
import { authorize, compileAuthorization, type AuthzRequest } from '../../../src/policy/authz/index.js';
import { patternCovers, ruleCovers } from '../../../src/policy/analyze/rule-subsumption.js';

const NS = 'istioinaction';

/** Small vocabularies so that generated rules and requests meet often. */
const SOURCE_VALUES = {
  principals: ['cluster.local/ns/a/sa/x', 'cluster.local/ns/a/sa/y', 'cluster.local/ns/b/sa/x', 'cluster.local/ns/a/*', '*/sa/x', '*'],
  namespaces: ['a', 'b', '*'],
  requestPrincipals: ['iss/u1', 'iss/u2', 'iss/*', '*'],
  ipBlocks: ['10.0.0.0/8', '10.1.0.0/16', '192.168.0.1'],
} as const;
const OPERATION_VALUES = {
  hosts: ['web.example', 'WEB.example', 'web.example:8080', 'web.*', '*.example', '*'],
  methods: ['GET', 'POST', 'DELETE'],
  paths: ['/api', '/api/x', '/api/*', '/api*', '*/x', '*'],
  ports: ['8080', '9090'],
} as const;
const CONDITIONS = {
  'request.headers[x-k]': ['v1', 'v2', 'v*'],
  'source.ip': ['10.0.0.0/8', '10.1.0.0/16'],
} as const;

const notKey = (k: string) => `not${k[0]!.toUpperCase()}${k.slice(1)}`;

function fieldsArb(vocab: Record<string, readonly string[]>): fc.Arbitrary<Record<string, string[]>> {
  const one = fc.constantFrom(...Object.keys(vocab)).chain((k) => fc.tuple(
    fc.constant(k), fc.boolean(), fc.uniqueArray(fc.constantFrom(...vocab[k]!), { minLength: 1, maxLength: 2 }),
  ));
  return fc.array(one, { minLength: 1, maxLength: 2 }).map((entries) => {
    const out: Record<string, string[]> = {};
    for (const [k, negated, values] of entries) out[negated ? notKey(k) : k] = values;
    return out;
  });
}

/** A rule; each part is left out with probability 1/freq (low freq: short rules, which cover more). */
function ruleArb(freq: number): fc.Arbitrary<AuthzRule> {
  return fc.record({
    from: fc.option(fc.array(fieldsArb(SOURCE_VALUES).map((source) => ({ source })), { minLength: 1, maxLength: 2 }), { nil: undefined, freq }),
    to: fc.option(fc.array(fieldsArb(OPERATION_VALUES).map((operation) => ({ operation })), { minLength: 1, maxLength: 2 }), { nil: undefined, freq }),
    when: fc.option(fc.array(fc.constantFrom(...Object.keys(CONDITIONS) as (keyof typeof CONDITIONS)[]).chain((key) => fc.record({
      key: fc.constant(key),
      values: fc.uniqueArray(fc.constantFrom(...CONDITIONS[key]), { minLength: 1, maxLength: 2 }),
      notValues: fc.option(fc.uniqueArray(fc.constantFrom(...CONDITIONS[key]), { minLength: 1, maxLength: 1 }), { nil: undefined }),
    }, { requiredKeys: ['key'] })), { minLength: 1, maxLength: 1 }), { nil: undefined, freq }),
  }, { requiredKeys: [] }) as fc.Arbitrary<AuthzRule>;
}

const requestArb: fc.Arbitrary<AuthzRequest> = fc.record({
  principal: fc.constantFrom(undefined, 'cluster.local/ns/a/sa/x', 'cluster.local/ns/a/sa/y', 'cluster.local/ns/b/sa/x', 'cluster.local/ns/c/sa/z'),
  requestPrincipal: fc.constantFrom(undefined, 'iss/u1', 'iss/u2', 'other/u1'),
  ip: fc.constantFrom('10.1.2.3', '10.2.0.1', '192.168.0.1'),
  host: fc.constantFrom('web.example', 'WEB.example', 'web.example:8080', 'api.example'),
  method: fc.constantFrom('GET', 'POST', 'DELETE'),
  path: fc.constantFrom('/api', '/api/x', '/api/y', '/other/x', '/apix'),
  port: fc.constantFrom(8080, 9090),
  header: fc.constantFrom(undefined, 'v1', 'v2'),
}).map((r): AuthzRequest => ({
  workload: { namespace: NS, labels: { app: 'webapp' } },
  protocol: 'http',
  source: { principal: r.principal, ip: r.ip },
  destination: { port: r.port },
  http: { method: r.method, host: r.host, path: r.path, headers: r.header ? { 'x-k': r.header } : ({} as Record<string, string>) },
  auth: r.requestPrincipal
    ? { principal: r.requestPrincipal, claims: { iss: r.requestPrincipal.split('/')[0], sub: r.requestPrincipal.split('/')[1] }, audiences: [] }
    : undefined,
}));

function policy(name: string, action: 'ALLOW' | 'DENY', rule: AuthzRule): AuthorizationPolicy {
  return {
    apiVersion: 'security.istio.io/v1', group: 'security.istio.io', kind: 'AuthorizationPolicy',
    metadata: { name, namespace: NS }, spec: { action, rules: [rule] },
    source: { file: 'property.yaml', line: 1, column: 1, document: 0 },
  };
}

describe('rule subsumption agrees with the authorization engine', () => {
  it('when ruleCovers(D, R) is true, a DENY of D leaves nothing for an ALLOW of R to allow', () => {
    let covered = 0;
    let liveAllows = 0;
    fc.assert(fc.property(ruleArb(2), ruleArb(6), fc.array(requestArb, { minLength: 10, maxLength: 10 }), (deny, allow, requests) => {
      if (!ruleCovers(deny, allow)) return;
      covered++;
      const both = compileAuthorization([policy('d', 'DENY', deny), policy('r', 'ALLOW', allow)], DEFAULT_MESH_CONFIG);
      const allowOnly = compileAuthorization([policy('r', 'ALLOW', allow)], DEFAULT_MESH_CONFIG);
      for (const q of requests) {
        if (authorize(allowOnly, q).decision === 'ALLOW') liveAllows++;
        const d = authorize(both, q);
        assert.notEqual(d.decision, 'ALLOW', `ruleCovers said D covers R, yet ${JSON.stringify(q)} passed: ${d.reason}`);
      }
    }), { numRuns: 3000, seed: Number(process.env['FC_SEED'] ?? 20261123) });
    // Guard against a vacuous run: covering pairs must occur, with requests R really allows.
    assert.ok(covered >= 50, `only ${covered} covering pairs were generated`);
    assert.ok(liveAllows >= 50, `only ${liveAllows} requests were allowed by a covered R`);
  });

  it('covers every rule by itself and by an empty rule', () => {
    fc.assert(fc.property(ruleArb(4), (r) => {
      assert.ok(ruleCovers(r, r), JSON.stringify(r));
      assert.ok(ruleCovers({}, r));
    }), { numRuns: 500 });
  });
});

describe('patternCovers', () => {
  it('reads Istio string matches: exact, prefix*, *suffix and *', () => {
    assert.equal(patternCovers('/api*', '/api/x'), true);
    assert.equal(patternCovers('/api*', '/api/*'), true);
    assert.equal(patternCovers('/api*', '*/x'), false, 'a suffix pattern can start with anything');
    assert.equal(patternCovers('*/x', '/api/x'), true);
    assert.equal(patternCovers('*/x', '/api*'), false);
    assert.equal(patternCovers('/api', '/api*'), false);
    assert.equal(patternCovers('*', '/anything*'), true);
  });
});

describe('ruleCovers on fields the engine compares specially', () => {
  it('does not treat a CIDR inside a notIpBlocks range as outside it', () => {
    // 10.1.0.0/16 lies inside 10.0.0.0/8: a DENY with notIpBlocks 10.0.0.0/8 never matches those callers.
    const deny: AuthzRule = { from: [{ source: { notIpBlocks: ['10.0.0.0/8'] } }] };
    const allow: AuthzRule = { from: [{ source: { ipBlocks: ['10.1.0.0/16'] } }] };
    assert.equal(ruleCovers(deny, allow), false);
  });

  it('compares hosts without regard to case, as the engine does', () => {
    assert.equal(ruleCovers({ to: [{ operation: { notHosts: ['WEB.example'] } }] }, { to: [{ operation: { hosts: ['web.example'] } }] }), false);
    assert.equal(ruleCovers({ to: [{ operation: { hosts: ['WEB.example'] } }] }, { to: [{ operation: { hosts: ['web.example'] } }] }), true);
  });
});
