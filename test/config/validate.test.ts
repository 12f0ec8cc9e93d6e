import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load } from './helpers.js';

const AP = (spec: string, meta = 'name: p\n  namespace: ns') => `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  ${meta}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
const RA = (rule: string) => `apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: r, namespace: ns}\nspec:\n  jwtRules:\n  - ${rule.replace(/\n/g, '\n    ')}\n`;
const PA = (spec: string) => `apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: p, namespace: ns}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;

// One row per rule: the input, the rule name it must report, and the field it must point at.
const CASES: [string, string, string, string][] = [
  ['CUSTOM without provider', AP('action: CUSTOM\nrules: [{}]'), 'authz-custom-needs-provider', 'spec.provider'],
  ['CUSTOM without rules', AP('action: CUSTOM\nprovider: {name: ext}'), 'authz-custom-without-rules', 'spec.action'],
  ['provider without CUSTOM', AP('action: ALLOW\nprovider: {name: ext}\nrules: [{}]'), 'authz-provider-needs-custom', 'spec.provider'],
  ['CUSTOM with principals', AP('action: CUSTOM\nprovider: {name: ext}\nrules: [{from: [{source: {principals: [a]}}]}]'), 'authz-custom-unsupported-field', 'spec.rules[0].from[0].source.principals'],
  ['CUSTOM with request.auth condition', AP('action: CUSTOM\nprovider: {name: ext}\nrules: [{when: [{key: "request.auth.claims[iss]", values: [x]}]}]'), 'authz-custom-unsupported-field', 'spec.rules[0].when[0].key'],
  ['DENY without rules', AP('action: DENY'), 'authz-deny-without-rules', 'spec.action'],
  ['from: []', AP('rules: [{from: []}]'), 'authz-empty-from', 'spec.rules[0].from'],
  ['from: [{}]', AP('rules: [{from: [{}]}]'), 'authz-from-source-missing', 'spec.rules[0].from[0]'],
  ['source: {}', AP('rules: [{from: [{source: {}}]}]'), 'authz-from-source-empty', 'spec.rules[0].from[0].source'],
  ['to: []', AP('rules: [{to: []}]'), 'authz-empty-to', 'spec.rules[0].to'],
  ['to: [{}]', AP('rules: [{to: [{}]}]'), 'authz-to-operation-missing', 'spec.rules[0].to[0]'],
  ['operation: {}', AP('rules: [{to: [{operation: {}}]}]'), 'authz-to-operation-empty', 'spec.rules[0].to[0].operation'],
  ['empty principal', AP('rules: [{from: [{source: {principals: [""]}}]}]'), 'authz-empty-value', 'spec.rules[0].from[0].source.principals[0]'],
  ['bad ipBlock', AP('rules: [{from: [{source: {ipBlocks: ["10.0.0.0/33"]}}]}]'), 'authz-ip-block', 'spec.rules[0].from[0].source.ipBlocks[0]'],
  ['bad port', AP('rules: [{to: [{operation: {ports: ["70000"]}}]}]'), 'authz-port', 'spec.rules[0].to[0].operation.ports[0]'],
  ['path without slash', AP('rules: [{to: [{operation: {paths: ["api/x"]}}]}]'), 'authz-path-format', 'spec.rules[0].to[0].operation.paths[0]'],
  ['unsupported path template', AP('rules: [{to: [{operation: {paths: ["/{*}/foo/{bar}"]}}]}]'), 'authz-path-template', 'spec.rules[0].to[0].operation.paths[0]'],
  ['empty condition key', AP('rules: [{when: [{key: "", values: [a]}]}]'), 'authz-condition-key-empty', 'spec.rules[0].when[0].key'],
  ['unknown condition key', AP('rules: [{when: [{key: source.ipp, values: [a]}]}]'), 'authz-condition-key', 'spec.rules[0].when[0].key'],
  ['map key without brackets', AP('rules: [{when: [{key: request.headers, values: [a]}]}]'), 'authz-condition-key', 'spec.rules[0].when[0].key'],
  ['condition without values', AP('rules: [{when: [{key: source.ip}]}]'), 'authz-condition-values', 'spec.rules[0].when[0]'],
  ['bad source.ip value', AP('rules: [{when: [{key: source.ip, values: [nope]}]}]'), 'authz-condition-value', 'spec.rules[0].when[0].values[0]'],
  ['bad destination.port value', AP('rules: [{when: [{key: destination.port, notValues: ["x"]}]}]'), 'authz-condition-value', 'spec.rules[0].when[0].notValues[0]'],
  ['selector and targetRef', AP('selector: {matchLabels: {app: a}}\ntargetRef: {kind: Service, name: s}\nrules: [{}]'), 'selector-or-target-ref', 'spec.targetRef'],
  ['targetRef namespace', AP('targetRef: {kind: Service, name: s, namespace: other}\nrules: [{}]'), 'target-ref-namespace', 'spec.targetRef.namespace'],
  ['targetRef kind', AP('targetRefs: [{kind: Deployment, name: s}]\nrules: [{}]'), 'target-ref-kind', 'spec.targetRefs[0].kind'],
  ['selector wildcard', AP('selector: {matchLabels: {app: "a*"}}\nrules: [{}]'), 'selector-wildcard', 'spec.selector.matchLabels.app'],
  ['bad namespace', AP('rules: [{}]', 'name: p\n  namespace: Bad_NS'), 'metadata-namespace', 'metadata.namespace'],
  ['bad name', AP('rules: [{}]', 'name: "x y"\n  namespace: ns'), 'metadata-name', 'metadata.name'],
  ['empty issuer', RA('issuer: ""'), 'jwt-issuer', 'spec.jwtRules[0].issuer'],
  ['jwks and jwksUri', RA('issuer: i\njwksUri: https://i/jwks\njwks: \'{"keys":[]}\''), 'jwt-jwks-exclusive', 'spec.jwtRules[0].jwks'],
  ['bad jwksUri', RA('issuer: i\njwksUri: ftp://i/jwks'), 'jwt-jwks-uri', 'spec.jwtRules[0].jwksUri'],
  ['jwks not JSON', RA('issuer: i\njwks: "{nope"'), 'jwt-jwks', 'spec.jwtRules[0].jwks'],
  ['jwks not a JWKS', RA('issuer: i\njwks: \'{"keys": [1]}\''), 'jwt-jwks', 'spec.jwtRules[0].jwks'],
  ['empty audience', RA('issuer: i\naudiences: [""]'), 'jwt-audience', 'spec.jwtRules[0].audiences[0]'],
  ['empty fromHeaders name', RA('issuer: i\nfromHeaders: [{name: ""}]'), 'jwt-from-header', 'spec.jwtRules[0].fromHeaders[0].name'],
  ['empty fromParams', RA('issuer: i\nfromParams: [""]'), 'jwt-from-param', 'spec.jwtRules[0].fromParams[0]'],
  ['empty fromCookies', RA('issuer: i\nfromCookies: [""]'), 'jwt-from-cookie', 'spec.jwtRules[0].fromCookies[0]'],
  ['bad claim header', RA('issuer: i\noutputClaimToHeaders: [{header: "x y", claim: sub}]'), 'jwt-claim-to-header', 'spec.jwtRules[0].outputClaimToHeaders[0].header'],
  ['portLevelMtls without selector', PA('portLevelMtls: {"8080": {mode: DISABLE}}'), 'peer-port-level-needs-selector', 'spec.portLevelMtls'],
  ['portLevelMtls empty', PA('selector: {matchLabels: {app: a}}\nportLevelMtls: {}'), 'peer-port-level-empty', 'spec.portLevelMtls'],
  ['portLevelMtls port 0', PA('selector: {matchLabels: {app: a}}\nportLevelMtls: {"0": {mode: DISABLE}}'), 'peer-port-range', 'spec.portLevelMtls["0"]'],
];

for (const [name, text, rule, field] of CASES) {
  test(`rule ${rule}: ${name} is refused at ${field}`, () => {
    const r = load(text);
    assert.equal(r.resources.length, 0, 'the resource must not load');
    const e = r.errors.find((x) => x.rule === rule);
    assert.ok(e, `expected rule ${rule}, got ${r.errors.map((x) => `${x.code}/${x.rule}: ${x.message}`).join('; ')}`);
    assert.equal(e.code, 'MG_CONFIG_RULE');
    assert.equal(e.field, field);
    assert.ok(e.line > 1);
  });
}

test('valid policies of the same shapes load without errors', () => {
  for (const text of [
    AP('action: CUSTOM\nprovider: {name: ext}\nrules: [{to: [{operation: {paths: ["/admin/*"]}}]}]'),
    AP('action: DENY\nrules: [{}]'),
    AP('rules: [{to: [{operation: {paths: ["/api/{*}/x/{**}", "*.png"], ports: ["8080"]}}]}]'),
    AP('rules: [{when: [{key: "request.headers[x-user]", values: [a]}, {key: destination.port, values: ["443"]}, {key: source.ip, values: ["10.0.0.0/8", "::1"]}]}]'),
    AP('targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: gw}]\nrules: [{}]'),
    RA('issuer: i\njwks: \'{"keys":[{"kty":"RSA","n":"x","e":"AQAB"}]}\''),
    PA('selector: {matchLabels: {app: a}}\nportLevelMtls: {8080: {mode: DISABLE}}'),
  ]) {
    const r = load(text);
    assert.deepEqual(r.errors.map((e) => e.message), [], text);
    assert.equal(r.resources.length, 1);
  }
});

test('a CUSTOM provider missing from the mesh config is not a load error (Istio denies at runtime)', () => {
  const r = load(AP('action: CUSTOM\nprovider: {name: nowhere}\nrules: [{}]'));
  assert.deepEqual(r.errors, []);
});

test('a root-namespace PeerAuthentication with a selector is valid', () => {
  const r = load(PA('selector: {matchLabels: {app: a}}\nmtls: {mode: STRICT}').replace('namespace: ns', 'namespace: istio-system'));
  assert.deepEqual(r.errors, []);
});
