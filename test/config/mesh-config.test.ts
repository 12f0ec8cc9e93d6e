import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MESH_CONFIG, parseDocuments } from '../../src/config/index.js';
import { load } from './helpers.js';

const CM = (ns: string, mesh: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: ${ns}\ndata:\n  mesh: |\n${mesh.split('\n').map((l) => (l ? `    ${l}` : l)).join('\n')}\n`;

test('without a mesh config Istio\'s defaults apply and no extension provider exists', () => {
  const r = load('');
  assert.deepEqual(r.mesh, DEFAULT_MESH_CONFIG);
  assert.equal(r.meshSource, null);
  assert.deepEqual(r.mesh.extensionProviders, []);
});

test('an error inside data.mesh points at the line and column of the outer file', () => {
  const r = load(CM('istio-system', 'trustDomain: example.org\nextensionProviders:\n- name: ext\n  envoyExtAuthzHttp:\n    service: ext.ns.svc\n    prot: 9000'));
  assert.equal(r.errors.length, 1);
  const e = r.errors[0]!;
  assert.equal(e.code, 'MG_CONFIG_UNKNOWN_FIELD');
  assert.deepEqual([e.line, e.column], [13, 9]);
  assert.equal(e.field, 'data.mesh.extensionProviders[0].envoyExtAuthzHttp.prot');
  assert.equal(e.hint, 'did you mean `port`?');
});

test('a YAML syntax error inside data.mesh is placed in the outer file', () => {
  const r = load(CM('istio-system', 'trustDomain: a\n  bad: [unclosed'));
  assert.equal(r.errors[0]?.code, 'MG_CONFIG_YAML_SYNTAX');
  assert.deepEqual([r.errors[0]?.line, r.errors[0]?.column], [8, 18]);
});

test('mesh config fields meshguard acts on are mapped with Istio\'s defaults', () => {
  const r = load(CM('istio-system', 'rootNamespace: istio-system\ntrustDomain: example.org\ntrustDomainAliases: [old.org]\npathNormalization: {normalization: MERGE_SLASHES}\noutboundTrafficPolicy: {mode: REGISTRY_ONLY}\ndefaultConfig: {discoveryAddress: istiod:15012}\nenableAutoMtls: true'));
  assert.deepEqual(r.errors, []);
  assert.deepEqual({ ...r.mesh, extensionProviders: [] }, { rootNamespace: 'istio-system', trustDomain: 'example.org', trustDomainAliases: ['old.org'], extensionProviders: [], pathNormalization: 'MERGE_SLASHES', outboundTrafficPolicy: 'REGISTRY_ONLY' });
});

test('an unknown top-level MeshConfig field suggests the closest one', () => {
  const r = load(CM('istio-system', 'trustDomian: example.org'));
  assert.equal(r.errors[0]?.hint, 'did you mean `trustDomain`?');
  assert.deepEqual([r.errors[0]?.line, r.errors[0]?.column], [8, 5]);
});

test('the istio ConfigMap is recognised in the namespace its own rootNamespace names', () => {
  const r = load(CM('mesh-root', 'rootNamespace: mesh-root\ntrustDomain: t.org'));
  assert.equal(r.mesh.trustDomain, 't.org');
  const other = load(CM('default', 'trustDomain: t.org'));
  assert.equal(other.mesh.trustDomain, 'cluster.local');
  assert.match(other.notes[0]!, /not the mesh config/);
});

test('other ConfigMaps are skipped silently', () => {
  const r = load('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-settings}\ndata: {a: b}\n');
  assert.deepEqual([r.errors.length, r.notes.length, r.resources.length], [0, 0, 0]);
});

test('--mesh-config FILE wins over the ConfigMap', () => {
  const r = parseDocuments([{ file: 'cm.yaml', text: CM('istio-system', 'trustDomain: cm.org') }], { meshConfigFile: { file: 'mesh.yaml', text: 'trustDomain: file.org\n' } });
  assert.equal(r.mesh.trustDomain, 'file.org');
  assert.equal(r.meshSource?.file, 'mesh.yaml');
});

test('an extension provider needs exactly one provider type, and names are unique', () => {
  const none = parseDocuments([], { meshConfigFile: { file: 'm.yaml', text: 'extensionProviders:\n- name: a\n' } });
  assert.equal(none.errors[0]?.code, 'MG_CONFIG_INVALID_VALUE');
  assert.equal(none.errors[0]?.line, 2);
  const dup = parseDocuments([], { meshConfigFile: { file: 'm.yaml', text: 'extensionProviders:\n- name: a\n  envoyExtAuthzGrpc: {service: s, port: 9000}\n- name: a\n  envoyExtAuthzGrpc: {service: s, port: 9000}\n' } });
  assert.equal(dup.errors[0]?.rule, 'mesh-provider-duplicate');
  assert.equal(dup.errors[0]?.line, 4);
});
