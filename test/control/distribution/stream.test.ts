import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { toDocument } from '../../../src/control/distribution/resource-records.js';
import { ConfigClient, type StreamDialer, type SnapshotVerdict } from '../../../src/proxy/config-client/index.js';
import type { ProxySnapshot } from '../../../src/proxy/model.js';
import { startTestControlPlane, type TestControlPlane } from './harness.js';
import { DENY_ADMIN_YAML, load, MESH_YAML } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'mg-dist-'));
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});
let n = 0;

async function controlPlane(dataDir = join(root, `cp${n++}`), streamListen?: string): Promise<TestControlPlane> {
  const cp = await startTestControlPlane(dataDir, streamListen ? { streamListen } : {});
  cleanups.push(() => cp.stop());
  return cp;
}

/** The service accounts of MESH_YAML's workloads: a proxy's SVID must name its workload's. */
const SERVICE_ACCOUNTS: Record<string, string> = { 'foo/web': 'web-sa', 'foo/db': 'default', 'bar/web': 'web' };

/** A real client with a matching SVID whose onSnapshot can be told to refuse; resolves `next()` on each install attempt. */
async function proxyClient(cp: TestControlPlane, workload = { namespace: 'foo', name: 'web' }, dialer?: StreamDialer) {
  return clientOn(dialer ?? await cp.dialer(workload.namespace, SERVICE_ACCOUNTS[`${workload.namespace}/${workload.name}`] ?? 'default'), workload);
}

function clientOn(dialer: StreamDialer, workload: { namespace: string; name: string }) {
  const seen: ProxySnapshot[] = [];
  let refuse: string | undefined;
  let waiters: (() => void)[] = [];
  const client = new ConfigClient({
    dialer, workload, reconnect: { initialMs: 50, maxMs: 200 },
    onSnapshot: (s): SnapshotVerdict => {
      seen.push(s);
      const w = waiters; waiters = []; for (const f of w) f();
      return refuse ? { ok: false, error: refuse } : { ok: true };
    },
  });
  cleanups.push(() => client.close());
  client.start();
  return {
    client, seen,
    refuseWith(e: string | undefined) { refuse = e; },
    async until(pred: () => boolean, ms = 1000): Promise<number> {
      const t0 = performance.now();
      while (!pred()) {
        if (performance.now() - t0 > ms) throw new Error(`condition not met within ${ms} ms`);
        await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 10); });
      }
      return performance.now() - t0;
    },
  };
}

const apply = (cp: TestControlPlane, yaml: string) => cp.dist.distributor.apply({ resources: load(yaml).map(toDocument) });

describe('configuration stream: control plane and client', () => {
  it('sends a full snapshot on connect, then a new version within a second of apply, and records the ACK', async () => {
    const cp = await controlPlane();
    await apply(cp, MESH_YAML);
    const p = await proxyClient(cp);
    await p.until(() => p.client.current() !== null);
    const first = p.client.current()!;
    assert.equal(first.workload.spiffeId, 'spiffe://cluster.local/ns/foo/sa/web-sa');
    await p.until(() => cp.dist.distributor.proxyStatus()[0]?.status === 'SYNCED');

    const t0 = performance.now();
    const results = await apply(cp, DENY_ADMIN_YAML);
    assert.deepEqual(results, [{ ref: 'authorizationpolicy.security.istio.io/deny-admin', namespace: 'foo', result: 'created' }]);
    await p.until(() => p.client.current()?.version !== first.version);
    assert.ok(performance.now() - t0 < 1000, 'the change reached the proxy within a second');
    assert.ok(p.client.current()!.authorizationPolicies.some((a) => a.metadata.name === 'deny-admin'));
    await p.until(() => cp.dist.distributor.proxyStatus()[0]?.lastAckedVersion === p.client.current()!.version);
    assert.equal(cp.dist.distributor.proxyStatus()[0]?.status, 'SYNCED');
  });

  it('does not push a proxy whose snapshot an unrelated change leaves the same', async () => {
    const cp = await controlPlane();
    await apply(cp, MESH_YAML);
    const p = await proxyClient(cp, { namespace: 'bar', name: 'web' });
    await p.until(() => p.seen.length === 1);
    await apply(cp, DENY_ADMIN_YAML); // namespace foo only
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(p.seen.length, 1);
  });

  it('refuses an invalid apply as a whole and the proxy keeps the snapshot it had', async () => {
    const cp = await controlPlane();
    await apply(cp, MESH_YAML);
    const p = await proxyClient(cp);
    await p.until(() => p.client.current() !== null);
    const version = p.client.current()!.version;
    const invalid = { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'bad', namespace: 'foo' }, spec: { action: 'DENY', rules: [{ to: [{ operation: { methodz: ['GET'] } }] }] } };
    const valid = toDocument(load(DENY_ADMIN_YAML)[0]!);
    await assert.rejects(cp.dist.distributor.apply({ resources: [valid, invalid] }), (err: { code: string; message: string }) => {
      assert.equal(err.code, 'MG_CONFIG_REJECTED');
      assert.match(err.message, /methodz/);
      return true;
    });
    assert.equal(await cp.store.getResource({ group: 'security.istio.io', kind: 'AuthorizationPolicy', namespace: 'foo', name: 'deny-admin' }), undefined);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(p.client.current()!.version, version);
    assert.equal(p.seen.length, 1);
  });

  it('records a NACK, keeps the last good snapshot in the client, and shows NACK in proxy status', async () => {
    const cp = await controlPlane();
    await apply(cp, MESH_YAML);
    const p = await proxyClient(cp);
    await p.until(() => p.client.current() !== null);
    const good = p.client.current()!.version;
    p.refuseWith('authz compile failed: bad regex');
    await apply(cp, DENY_ADMIN_YAML);
    await p.until(() => cp.dist.distributor.proxyStatus()[0]?.status === 'NACK');
    const st = cp.dist.distributor.proxyStatus()[0]!;
    assert.equal(st.lastNack?.error, 'authz compile failed: bad regex');
    assert.equal(st.lastAckedVersion, good);
    assert.equal(p.client.current()!.version, good);
    assert.equal(p.client.status().lastNack?.version, st.lastSentVersion);
  });

  it('keeps serving the last snapshot while the control plane is away and resyncs when it is back', async () => {
    const dataDir = join(root, `cp${n++}`);
    const first = await startTestControlPlane(dataDir);
    await apply(first, MESH_YAML);
    const p = await proxyClient(first);
    await p.until(() => p.client.current() !== null);
    const before = p.client.current()!.version;
    await first.stop();
    await p.until(() => !p.client.status().connected);
    assert.equal(p.client.current()!.version, before, 'the last snapshot is still in force');

    const second = await controlPlane(dataDir, first.streamAddress);
    await apply(second, DENY_ADMIN_YAML);
    await p.until(() => p.client.current()!.version !== before, 3000);
    assert.ok(p.client.current()!.authorizationPolicies.some((a) => a.metadata.name === 'deny-admin'));
    assert.equal(p.client.status().connects, 2);
  });

  it('keeps creationTimestamp when apply updates a resource, so the oldest policy stays oldest', async () => {
    let now = Date.UTC(2026, 0, 1);
    const cp = await startTestControlPlane(join(root, `cp${n++}`), { now: () => now });
    cleanups.push(() => cp.stop());
    await apply(cp, DENY_ADMIN_YAML);
    now += 60_000;
    const changed = await apply(cp, DENY_ADMIN_YAML.replace('/admin', '/debug'));
    assert.equal(changed[0]?.result, 'configured');
    assert.equal((await apply(cp, DENY_ADMIN_YAML.replace('/admin', '/debug')))[0]?.result, 'unchanged');
    const { items } = await cp.dist.distributor.resources();
    assert.equal(items[0]?.metadata.creationTimestamp, '2026-01-01T00:00:00.000Z');
  });
});

