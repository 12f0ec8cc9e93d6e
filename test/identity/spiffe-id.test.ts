import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpiffeId, parseTrustDomain, principalOf, trustDomainOf, pathOf, workloadId, isSpiffeId } from '../../src/identity/spiffe-id.js';

const code = (fn: () => unknown, reason: string) => assert.throws(fn, (e: { code?: string; reason?: string }) => e.code === 'MG_SPIFFE_ID_INVALID' && e.reason === reason);

test('accepts a workload ID and splits it into trust domain and path', () => {
  const id = parseSpiffeId('spiffe://cluster.local/ns/default/sa/web');
  assert.equal(trustDomainOf(id), 'cluster.local');
  assert.equal(pathOf(id), '/ns/default/sa/web');
  assert.equal(principalOf(id), 'cluster.local/ns/default/sa/web');
});

test('builds the Istio workload ID from namespace and service account', () => {
  assert.equal(workloadId(parseTrustDomain('example.org'), 'prod', 'billing-api'), 'spiffe://example.org/ns/prod/sa/billing-api');
});

test('refuses a namespace that would smuggle a path segment into a workload ID', () => {
  code(() => workloadId(parseTrustDomain('cluster.local'), '..', 'web'), 'dot-segment');
  code(() => workloadId(parseTrustDomain('cluster.local'), 'a/b?', 'web'), 'path-chars');
});

test('refuses what the SPIFFE ID spec forbids, each with its reason', () => {
  code(() => parseSpiffeId('SPIFFE://cluster.local/x'), 'scheme');
  code(() => parseSpiffeId('https://cluster.local/x'), 'scheme');
  code(() => parseSpiffeId('spiffe:///x'), 'empty-trust-domain');
  code(() => parseSpiffeId('spiffe://Cluster.local/x'), 'trust-domain-chars');
  code(() => parseSpiffeId('spiffe://cluster.local:8080/x'), 'trust-domain-chars');
  code(() => parseSpiffeId('spiffe://user@cluster.local/x'), 'trust-domain-chars');
  code(() => parseSpiffeId('spiffe://cluster.local/ns//sa'), 'empty-segment');
  code(() => parseSpiffeId('spiffe://cluster.local/ns/'), 'empty-segment');
  code(() => parseSpiffeId('spiffe://cluster.local/ns/./sa'), 'dot-segment');
  code(() => parseSpiffeId('spiffe://cluster.local/ns/x?y=1'), 'path-chars');
  code(() => parseSpiffeId('spiffe://cluster.local/ns/x#frag'), 'path-chars');
  code(() => parseSpiffeId('spiffe://cluster.local/ns/%41'), 'path-chars');
  code(() => parseSpiffeId(`spiffe://cluster.local/${'a'.repeat(2040)}`), 'too-long');
  code(() => parseTrustDomain('a'.repeat(256)), 'trust-domain-too-long');
});

test('accepts the trust domain ID itself and mixed-case path segments', () => {
  assert.ok(isSpiffeId('spiffe://cluster.local'));
  assert.ok(isSpiffeId('spiffe://td_1.example-2/Path.With_Case-9'));
  assert.equal(isSpiffeId('spiffe://cluster.local/a b'), false);
});
