import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MESH_CONFIG } from '../../../src/config/index.js';
import { buildSnapshot, meshState } from '../../../src/control/distribution/snapshot.js';
import { load, MESH_YAML } from './fixtures.js';

const resources = load(MESH_YAML);
const state = meshState(DEFAULT_MESH_CONFIG, resources);
const names = (list: { metadata: { namespace: string; name: string } }[]) => list.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort();

describe('buildSnapshot: which policies reach which workload', () => {
  const table: { proxy: { namespace: string; name: string }; authz: string[]; peer: string[]; request: string[] }[] = [
    {
      proxy: { namespace: 'foo', name: 'web' },
      authz: ['foo/ns-wide', 'foo/via-service', 'foo/web-only', 'istio-system/mesh-wide', 'istio-system/root-web'],
      peer: ['istio-system/default'], request: ['foo/jwt'],
    },
    {
      proxy: { namespace: 'foo', name: 'db' },
      authz: ['foo/ns-wide', 'istio-system/mesh-wide'], peer: ['foo/db-permissive', 'istio-system/default'], request: [],
    },
    {
      proxy: { namespace: 'bar', name: 'web' },
      authz: ['bar/other-ns', 'istio-system/mesh-wide', 'istio-system/root-web'], peer: ['istio-system/default'], request: [],
    },
  ];
  for (const c of table) {
    it(`gives ${c.proxy.namespace}/${c.proxy.name} root-namespace, own-namespace and selected policies only`, () => {
      const snap = buildSnapshot(state, c.proxy);
      assert.deepEqual(names(snap.authorizationPolicies), c.authz);
      assert.deepEqual(names(snap.peerAuthentications), c.peer);
      assert.deepEqual(names(snap.requestAuthentications), c.request);
    });
  }

  it('describes the workload from its Workload resource, with a SPIFFE ID from trust domain, namespace and service account', () => {
    const snap = buildSnapshot(meshState({ ...DEFAULT_MESH_CONFIG, trustDomain: 'example.org' }, resources), { namespace: 'foo', name: 'web', labels: { app: 'spoofed' } });
    assert.equal(snap.workload.spiffeId, 'spiffe://example.org/ns/foo/sa/web-sa');
    assert.equal(snap.workload.serviceAccount, 'web-sa');
    assert.deepEqual(snap.workload.labels, { app: 'web' }, 'the stored Workload wins over what the proxy says');
    assert.equal(snap.workload.address, '127.10.0.2');
  });

  it('lists every Service and every Workload as an endpoint; one without a sidecar has no SPIFFE ID', () => {
    const snap = buildSnapshot(state, { namespace: 'bar', name: 'web' });
    assert.deepEqual(snap.services.map((s) => s.metadata.name), ['web-svc']);
    assert.deepEqual(snap.endpoints.map((e) => `${e.namespace}/${e.name}:${e.sidecar}:${e.spiffeId}`), [
      'bar/web:true:spiffe://cluster.local/ns/bar/sa/web',
      'foo/db:false:null',
      'foo/web:true:spiffe://cluster.local/ns/foo/sa/web-sa',
    ]);
  });

  it('uses the labels of the hello for a workload the mesh has no resource for, with the default service account', () => {
    const snap = buildSnapshot(state, { namespace: 'foo', name: 'new', labels: { app: 'web' } });
    assert.deepEqual(names(snap.authorizationPolicies), ['foo/ns-wide', 'foo/via-service', 'foo/web-only', 'istio-system/mesh-wide', 'istio-system/root-web']);
    assert.equal(snap.workload.spiffeId, 'spiffe://cluster.local/ns/foo/sa/default');
  });

  it('follows the mesh config root namespace', () => {
    const snap = buildSnapshot(meshState({ ...DEFAULT_MESH_CONFIG, rootNamespace: 'bar' }, resources), { namespace: 'foo', name: 'db' });
    assert.deepEqual(names(snap.authorizationPolicies), ['bar/other-ns', 'foo/ns-wide']);
  });

  it('orders policies oldest first, as Istio breaks ties', () => {
    const aged = resources.map((r) => r.metadata.name === 'ns-wide' ? { ...r, metadata: { ...r.metadata, creationTimestamp: '2020-01-01T00:00:00Z' } }
      : { ...r, metadata: { ...r.metadata, creationTimestamp: '2024-01-01T00:00:00Z' } });
    const snap = buildSnapshot(meshState(DEFAULT_MESH_CONFIG, aged), { namespace: 'foo', name: 'db' });
    assert.equal(snap.authorizationPolicies[0]?.metadata.name, 'ns-wide');
  });
});

describe('buildSnapshot: versions', () => {
  it('keeps a proxy\'s version when only another namespace changes, and changes it when its own policies do', () => {
    const before = buildSnapshot(state, { namespace: 'bar', name: 'web' }).version;
    const fooChanged = resources.filter((r) => r.metadata.name !== 'web-only');
    assert.equal(buildSnapshot(meshState(DEFAULT_MESH_CONFIG, fooChanged), { namespace: 'bar', name: 'web' }).version, before);
    assert.notEqual(buildSnapshot(meshState(DEFAULT_MESH_CONFIG, fooChanged), { namespace: 'foo', name: 'web' }).version,
      buildSnapshot(state, { namespace: 'foo', name: 'web' }).version);
  });

  it('does not depend on the order resources are listed in', () => {
    const a = buildSnapshot(state, { namespace: 'foo', name: 'web' }).version;
    assert.equal(buildSnapshot(meshState(DEFAULT_MESH_CONFIG, [...resources].reverse()), { namespace: 'foo', name: 'web' }).version, a);
  });
});
