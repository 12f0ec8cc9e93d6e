import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveDestination, splitAuthority } from '../../../src/proxy/outbound/index.js';
import { createRoundRobin } from '../../../src/proxy/outbound/round-robin.js';
import { endpoint, service, snapshotWith } from './support.js';

const snapshot = snapshotWith(
  [
    service('catalog', 'istioinaction', [{ name: 'http', port: 80, targetPort: 'http' }, { port: 81, targetPort: 3001 }, { port: 82 }]),
    service('reviews', 'bookinfo', [{ port: 9080 }]),
    service('headless', 'istioinaction', [{ port: 80 }], undefined),
  ],
  [
    endpoint('catalog', 'istioinaction', 3000, { address: '127.10.0.2' }),
    endpoint('catalog', 'istioinaction', 3100, { name: 'catalog-v2', address: '127.10.0.3', spiffeId: 'spiffe://cluster.local/ns/istioinaction/sa/catalog-v2' }),
    // Same labels, other namespace: not selected by istioinaction/catalog.
    endpoint('catalog', 'other', 3000, { address: '127.10.0.9' }),
    endpoint('reviews', 'bookinfo', 9080, { ports: [{ port: 9080 }], sidecar: false, spiffeId: null }),
  ],
);

const fqdnOf = (host: string, port?: number) => {
  const r = resolveDestination(snapshot, host, port);
  return r.kind === 'service' ? r.fqdn : r.kind;
};

describe('resolveDestination', () => {
  it('resolves a short name in the proxy’s own namespace', () => {
    assert.equal(fqdnOf('catalog', 80), 'catalog.istioinaction.svc.cluster.local');
  });

  it('resolves name.ns, name.ns.svc and name.ns.svc.cluster.local, any case, trailing dot', () => {
    for (const h of ['reviews.bookinfo', 'reviews.bookinfo.svc', 'Reviews.Bookinfo.svc.cluster.local', 'reviews.bookinfo.svc.cluster.local.']) {
      assert.equal(fqdnOf(`${h}:9080`), 'reviews.bookinfo.svc.cluster.local', h);
    }
  });

  it('does not take the trust domain for the DNS suffix', () => {
    const td = { ...snapshot, mesh: { ...snapshot.mesh, trustDomain: 'example.org' } };
    assert.equal(resolveDestination(td, 'catalog.istioinaction.svc.example.org', 80).kind, 'passthrough');
    assert.equal(resolveDestination(td, 'catalog.istioinaction.svc.cluster.local', 80).kind, 'service');
  });

  it('does not resolve a short name of another namespace', () => {
    assert.equal(fqdnOf('reviews', 9080), 'passthrough');
  });

  it('maps a named target port to each endpoint’s port of that name, in the Service’s namespace only', () => {
    const r = resolveDestination(snapshot, 'catalog', 80);
    assert.equal(r.kind, 'service');
    assert.deepEqual(r.kind === 'service' && r.endpoints.map((e) => `${e.endpoint.address}:${e.port}`), ['127.10.0.2:3000', '127.10.0.3:3100']);
    assert.deepEqual(r.kind === 'service' && r.allowedIds, ['spiffe://cluster.local/ns/istioinaction/sa/catalog', 'spiffe://cluster.local/ns/istioinaction/sa/catalog-v2']);
  });

  it('maps a numeric target port, and no target port to the Service port', () => {
    const a = resolveDestination(snapshot, 'catalog:81', undefined);
    const b = resolveDestination(snapshot, 'catalog:82', undefined);
    assert.deepEqual(a.kind === 'service' && a.endpoints.map((e) => e.port), [3001, 3001]);
    assert.deepEqual(b.kind === 'service' && b.endpoints.map((e) => e.port), [82, 82]);
  });

  it('blocks a port the Service does not declare', () => {
    assert.deepEqual(resolveDestination(snapshot, 'catalog:8080', undefined), { kind: 'blocked', reason: 'Service catalog.istioinaction.svc.cluster.local has no port 8080' });
  });

  it('gives a Service without selector no endpoints', () => {
    const r = resolveDestination(snapshot, 'headless', 80);
    assert.deepEqual(r.kind === 'service' && r.endpoints, []);
  });

  it('allows no identity for endpoints without a sidecar', () => {
    const r = resolveDestination(snapshot, 'reviews.bookinfo:9080', undefined);
    assert.deepEqual(r.kind === 'service' && r.allowedIds, []);
  });

  it('passes unknown hosts through under ALLOW_ANY and blocks them under REGISTRY_ONLY', () => {
    assert.deepEqual(resolveDestination(snapshot, 'example.com', 80), { kind: 'passthrough', host: 'example.com', port: 80 });
    const ro = { ...snapshot, mesh: { ...snapshot.mesh, outboundTrafficPolicy: 'REGISTRY_ONLY' as const } };
    assert.equal(resolveDestination(ro, 'example.com', 80).kind, 'blocked');
    assert.equal(resolveDestination(ro, 'catalog', 80).kind, 'service');
  });

  it('refuses malformed authorities (userinfo, bad ports, spaces) and a missing port', () => {
    for (const a of ['user@catalog', 'catalog:0', 'catalog:70000', 'cat alog', '', 'catalog:']) assert.equal(resolveDestination(snapshot, a, 80).kind, 'blocked', a);
    assert.equal(resolveDestination(snapshot, 'catalog', undefined).kind, 'blocked');
  });

  it('splits IPv6 literals', () => {
    assert.deepEqual(splitAuthority('[::1]:8080', 80), { host: '::1', port: 8080 });
  });
});

describe('round-robin', () => {
  it('spreads picks over the endpoints in turn', () => {
    const r = resolveDestination(snapshot, 'catalog', 80);
    assert.ok(r.kind === 'service');
    const rr = createRoundRobin();
    const picks = [0, 1, 2, 3].map(() => rr.pick('k', r.endpoints)?.endpoint.address);
    assert.deepEqual(picks, ['127.10.0.2', '127.10.0.3', '127.10.0.2', '127.10.0.3']);
    assert.equal(rr.pick('k', []), undefined);
  });
});
