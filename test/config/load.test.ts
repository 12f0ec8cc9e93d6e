import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatConfigError, parseDocuments } from '../../src/config/index.js';
import { load, loadFixture } from './helpers.js';

test('loads the security kinds of seed 003 with their namespaces and sources', () => {
  const r = loadFixture('seed-003-security.yaml');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.resources.map((x) => `${x.group}/${x.kind} ${x.metadata.namespace}/${x.metadata.name}`), [
    'security.istio.io/PeerAuthentication abc/example-policy',
    'security.istio.io/RequestAuthentication abc/jwt-example',
    'security.istio.io/AuthorizationPolicy abc/httpbin',
  ]);
  const ap = r.resources[2];
  assert.equal(ap?.source.document, 2);
  assert.deepEqual(ap?.source.fields?.['spec.rules[0].when[0].key'], { line: 48, column: 6 });
});

test('loads every policy of seed 004 and takes the ext-authz provider from the istio ConfigMap', () => {
  const r = loadFixture('seed-004-policies.yaml');
  assert.deepEqual(r.errors, []);
  assert.equal(r.resources.length, 10);
  assert.equal(r.mesh.rootNamespace, 'istio-system');
  assert.equal(r.mesh.extensionProviders[0]?.name, 'sample-ext-authz-http');
  assert.deepEqual((r.mesh.extensionProviders[0]?.envoyExtAuthzHttp as { port: number }).port, 8000);
  assert.equal(r.meshSource?.line, 140);
});

test('loads NetworkPolicies of seed 000, defaults the namespace and notes the Cilium policy it skips', () => {
  const r = loadFixture('seed-000-network-policy.yaml');
  assert.deepEqual(r.errors, []);
  assert.equal(r.resources[1]?.metadata.namespace, 'default');
  assert.deepEqual(r.notes, ['seed-000-network-policy.yaml:35: skipped cilium.io/v2 CiliumNetworkPolicy (not a kind meshguard reads)']);
});

test('loads Gateway and VirtualServices with credentialName, retries and timeout', () => {
  const r = loadFixture('seed-001-gateway.yaml');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.resources.map((x) => x.kind), ['Gateway', 'VirtualService', 'VirtualService']);
});

test('the typo `namespace` in seed 004 is an unknown field that suggests `namespaces`', () => {
  const r = loadFixture('seed-004-typo.yaml');
  assert.equal(r.resources.length, 0);
  assert.equal(r.errors.length, 1);
  const e = r.errors[0]!;
  assert.equal(e.code, 'MG_CONFIG_UNKNOWN_FIELD');
  assert.equal(formatConfigError(e), 'seed-004-typo.yaml:13:9: spec.rules[0].from[1].source.namespace: unknown field `namespace` (did you mean `namespaces`?)');
});

const PA = (name: string, extra = '') => `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: ${name}\n  namespace: a\nspec:\n  mtls:\n    mode: STRICT${extra}\n`;

test('a bad document in the middle gives errors and the others still load', () => {
  const text = `${PA('one')}---\n${PA('two', '\n  bogus: 1')}---\n${PA('three')}`;
  const r = load(text);
  assert.deepEqual(r.resources.map((x) => x.metadata.name), ['one', 'three']);
  assert.equal(r.errors.length, 1);
  assert.deepEqual([r.errors[0]?.line, r.errors[0]?.column, r.errors[0]?.field], [18, 3, 'spec.bogus']);
});

test('a wrong enum value names the closest allowed one', () => {
  const r = load(PA('x').replace('STRICT', 'STRICTT'));
  assert.equal(r.errors[0]?.code, 'MG_CONFIG_INVALID_VALUE');
  assert.equal(r.errors[0]?.hint, 'did you mean `STRICT`?');
  assert.deepEqual([r.errors[0]?.line, r.errors[0]?.column], [8, 5]);
});

test('a missing metadata.name is a missing field at metadata', () => {
  const r = load('apiVersion: v1\nkind: Service\nmetadata:\n  namespace: a\n');
  assert.equal(r.errors[0]?.code, 'MG_CONFIG_MISSING_FIELD');
  assert.equal(r.errors[0]?.field, 'metadata.name');
  assert.equal(r.errors[0]?.line, 3);
});

test('empty and comment-only files load no resources and no errors', () => {
  for (const text of ['', '   \n', '# only a comment\n', '---\n# c\n---\n']) {
    const r = load(text);
    assert.deepEqual([r.resources.length, r.errors.length], [0, 0], JSON.stringify(text));
  }
});

test('JSON input loads like YAML', () => {
  const r = load(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'n' }, spec: { selector: { app: 's' }, ports: [{ port: 80 }] } }), 's.json');
  assert.deepEqual(r.errors, []);
  assert.equal(r.resources[0]?.kind, 'Service');
});

test('kind List is unpacked and errors inside it name the item', () => {
  const r = load(`apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Service\n  metadata: {name: b}\n  spec: {portz: []}\n`);
  assert.deepEqual(r.resources.map((x) => x.metadata.name), ['a']);
  assert.equal(r.errors[0]?.field, 'items[1].spec.portz');
  assert.equal(r.errors[0]?.hint, 'did you mean `ports`?');
});

test('a duplicate resource is an error naming both places; the first one is kept', () => {
  const r = parseDocuments([{ file: 'a.yaml', text: PA('x') }, { file: 'b.yaml', text: `# c\n${PA('x')}` }]);
  assert.equal(r.resources.length, 1);
  assert.equal(r.errors[0]?.code, 'MG_CONFIG_DUPLICATE');
  assert.match(r.errors[0]!.message, /already defined at a\.yaml:1/);
  assert.deepEqual([r.errors[0]?.file, r.errors[0]?.line], ['b.yaml', 5]);
});

test('Linkerd AuthorizationPolicy is skipped with a note, not read as Istio\'s', () => {
  const r = load('apiVersion: policy.linkerd.io/v1beta3\nkind: AuthorizationPolicy\nmetadata: {name: x}\nspec: {targetRef: {kind: Server}}\n');
  assert.deepEqual([r.resources.length, r.errors.length], [0, 0]);
  assert.match(r.notes[0]!, /in\.yaml:1: skipped policy\.linkerd\.io\/v1beta3 AuthorizationPolicy/);
});

test('an unsupported version of a known kind is an error with the versions to use', () => {
  const r = load('apiVersion: security.istio.io/v1alpha1\nkind: PeerAuthentication\nmetadata: {name: x}\n');
  assert.equal(r.errors[0]?.field, 'apiVersion');
  assert.match(r.errors[0]!.hint!, /security\.istio\.io\/v1 or security\.istio\.io\/v1beta1/);
});

test('Workload gets serviceAccount default and sidecar true', () => {
  const r = load('apiVersion: meshguard.dev/v1alpha1\nkind: Workload\nmetadata: {name: w, labels: {app: w}}\nspec:\n  ports: [{port: 8080, protocol: http}]\n  command: [node, app.js]\n');
  assert.deepEqual(r.errors, []);
  const spec = r.resources[0]?.spec as { serviceAccount: string; sidecar: boolean };
  assert.deepEqual([spec.serviceAccount, spec.sidecar], ['default', true]);
});

test('status and kubectl metadata fields are accepted', () => {
  const r = load(`${PA('x').replace('  namespace: a\n', '  namespace: a\n  uid: u\n  resourceVersion: "1"\n  generation: 2\n  creationTimestamp: "2024-01-01T00:00:00Z"\n  managedFields: [{manager: kubectl, operation: Apply}]\n')}status: {conditions: []}\n`);
  assert.deepEqual(r.errors, []);
  assert.equal(r.resources[0]?.metadata.creationTimestamp, '2024-01-01T00:00:00Z');
});

test('a DestinationRule accepts traffic policy fields of Istio\'s schema', () => {
  const r = load(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: d}
spec:
  host: r.ns.svc.cluster.local
  exportTo: ["."]
  trafficPolicy:
    loadBalancer: {simple: LEAST_REQUEST, localityLbSetting: {enabled: true}}
    connectionPool: {tcp: {maxConnections: 10, connectTimeout: 30ms}, http: {http2MaxRequests: 5, h2UpgradePolicy: UPGRADE}}
    outlierDetection: {consecutive5xxErrors: 7, interval: 5m, baseEjectionTime: 15m}
    tls: {mode: ISTIO_MUTUAL, sni: r.example.com}
    portLevelSettings: [{port: {number: 80}, loadBalancer: {consistentHash: {httpCookie: {name: user, ttl: 0s}}}}]
  subsets: [{name: v1, labels: {version: v1}}]
`);
  assert.deepEqual(r.errors, []);
});
