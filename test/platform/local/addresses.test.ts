import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Workload } from '../../../src/config/kinds.js';
import { isLoopbackV4, MAX_WORKLOADS, planAddresses } from '../../../src/platform/local/addresses.js';

function workload(namespace: string, name: string, spec: Workload['spec'] = {}): Workload {
  return { apiVersion: 'meshguard.dev/v1alpha1', group: 'meshguard.dev', kind: 'Workload', metadata: { namespace, name }, spec } as Workload;
}

test('gives each workload its own loopback addresses by namespace/name order, the same on every run', () => {
  const ws = [workload('istioinaction', 'webapp'), workload('default', 'sleep', { sidecar: false }), workload('istioinaction', 'catalog')];
  const plan = planAddresses(ws);
  assert.deepEqual(plan.get('default/sleep'), { ref: 'default/sleep', address: '127.77.1.1', appAddress: '127.77.1.1' });
  assert.deepEqual(plan.get('istioinaction/catalog'), { ref: 'istioinaction/catalog', address: '127.77.2.1', appAddress: '127.78.2.1' });
  assert.deepEqual(plan.get('istioinaction/webapp'), { ref: 'istioinaction/webapp', address: '127.77.3.1', appAddress: '127.78.3.1' });
  assert.deepEqual(planAddresses([...ws].reverse()), plan);
});

test('every planned address is in 127.0.0.0/8 and no two workloads share one', () => {
  const ws = Array.from({ length: MAX_WORKLOADS }, (_, i) => workload('ns', `w${i}`, { sidecar: i % 3 !== 0 }));
  const all = [...planAddresses(ws).values()].flatMap((a) => (a.address === a.appAddress ? [a.address] : [a.address, a.appAddress]));
  assert.ok(all.every(isLoopbackV4));
  assert.equal(new Set(all).size, all.length);
});

test("honours a Workload's own loopback address", () => {
  assert.equal(planAddresses([workload('a', 'b', { address: '127.5.5.5' })]).get('a/b')?.address, '127.5.5.5');
});

test('refuses an address outside 127.0.0.0/8', () => {
  assert.throws(() => planAddresses([workload('a', 'b', { address: '10.0.0.1' })]), {
    code: 'MG_UP_BAD_ADDRESS', message: 'Workload a/b: address 10.0.0.1 is not in 127.0.0.0/8; a local mesh uses loopback addresses only',
  });
  assert.throws(() => planAddresses([workload('a', 'b', { address: '127.0.0.1.5' })]), { code: 'MG_UP_BAD_ADDRESS' });
});

test('refuses two workloads on one address, and more workloads than the plan holds', () => {
  assert.throws(() => planAddresses([workload('a', 'b', { address: '127.77.2.1' }), workload('a', 'c')]), { code: 'MG_UP_BAD_ADDRESS', message: /a\/b and a\/c would both use 127\.77\.2\.1/ });
  const many = Array.from({ length: MAX_WORKLOADS + 1 }, (_, i) => workload('ns', `w${i}`));
  assert.throws(() => planAddresses(many), { code: 'MG_UP_TOO_MANY_WORKLOADS' });
});
