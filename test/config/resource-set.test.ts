import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceSet, type Workload } from '../../src/config/index.js';
import { load } from './helpers.js';

const TEXT = `apiVersion: meshguard.dev/v1alpha1
kind: Workload
metadata: {name: web, namespace: shop, labels: {app: web, tier: front}}
---
apiVersion: meshguard.dev/v1alpha1
kind: Workload
metadata: {name: db, namespace: shop, labels: {app: db}}
---
apiVersion: meshguard.dev/v1alpha1
kind: Workload
metadata: {name: web, namespace: other, labels: {app: web}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: headless-manual, namespace: shop}
spec: {ports: [{port: 80}]}
`;

test('indexes resources by kind and by kind and namespace', () => {
  const set = new ResourceSet(load(TEXT).resources);
  assert.equal(set.ofKind('Workload').length, 3);
  assert.deepEqual(set.inNamespace('Workload', 'shop').map((w) => w.metadata.name), ['web', 'db']);
  assert.equal(set.servicesIn('shop').length, 2);
  assert.deepEqual(set.inNamespace('Service', 'nowhere'), []);
});

test('a Service selects the workloads whose labels it names, in its own namespace only', () => {
  const set = new ResourceSet(load(TEXT).resources);
  const [web, db] = set.workloadsIn('shop') as Workload[];
  assert.deepEqual(set.servicesSelecting(web!).map((s) => s.metadata.name), ['web']);
  assert.deepEqual(set.servicesSelecting(db!), []);
  const otherWeb = set.workloadsIn('other')[0]!;
  assert.deepEqual(set.servicesSelecting(otherWeb), []);
});

test('a workload selector picks by labels; no labels picks the whole namespace', () => {
  const set = new ResourceSet(load(TEXT).resources);
  assert.deepEqual(set.workloadsSelected({ matchLabels: { tier: 'front' } }, 'shop').map((w) => w.metadata.name), ['web']);
  assert.deepEqual(set.workloadsSelected(undefined, 'shop').map((w) => w.metadata.name), ['web', 'db']);
  assert.deepEqual(set.workloadsSelected({ matchLabels: { app: 'none' } }, 'shop'), []);
});
