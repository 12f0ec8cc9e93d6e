import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toDocument } from '../../../src/control/distribution/resource-records.js';
import { ConfigClient } from '../../../src/proxy/config-client/index.js';
import { runCli } from '../../control/harness/cli.js';
import { startTestControlPlane, type TestControlPlane } from '../../control/distribution/harness.js';
import { load, MESH_YAML } from '../../control/distribution/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'mg-pstatus-'));
let cp: TestControlPlane;
const clients: ConfigClient[] = [];
before(async () => { cp = await startTestControlPlane(join(root, 'data')); });
after(async () => {
  for (const c of clients) await c.close();
  await cp.stop();
  rmSync(root, { recursive: true, force: true });
});
const mg = (...args: string[]) => runCli([...args, '--data-dir', cp.dataDir]);

async function until(pred: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !pred(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(pred(), 'condition not met within 2 s');
}

describe('meshguard proxy-status', () => {
  it('shows SYNCED for a proxy that ACKed and NACK for one that refused, istioctl style', async () => {
    await cp.dist.distributor.apply({ resources: load(MESH_YAML).map(toDocument) });
    // Each proxy presents an SVID naming its workload's service account (foo/web: web-sa; foo/db: default).
    const start = async (name: string, serviceAccount: string, ok: boolean) => {
      const c = new ConfigClient({ dialer: await cp.dialer('foo', serviceAccount), workload: { namespace: 'foo', name }, onSnapshot: () => (ok ? { ok: true } : { ok: false, error: 'does not compile' }) });
      clients.push(c);
      c.start();
    };
    await start('web', 'web-sa', true);
    await start('db', 'default', false);
    await until(() => cp.dist.distributor.proxyStatus().filter((p) => p.status === 'SYNCED' || p.status === 'NACK').length === 2);
    const table = await mg('proxy-status');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^NAME\s+NAMESPACE\s+VERSION\s+STATUS\s+LAST ACK\n/);
    assert.match(table.stdout, /\nweb\s+foo\s+[0-9a-f]{16}\s+SYNCED\s+\d+s\n/);
    assert.match(table.stdout, /\ndb\s+foo\s+[0-9a-f]{16}\s+NACK\s+-\n/);
    assert.match(table.stderr, /foo\/db refused [0-9a-f]{16}: does not compile/);

    const json = JSON.parse((await mg('proxy-status', '-o', 'json')).stdout) as { items: { name: string; status: string; lastNack: { error: string } | null }[] };
    assert.equal(json.items.find((p) => p.name === 'db')?.lastNack?.error, 'does not compile');
  });

  it('shows STALE between a push and its ACK', async () => {
    let release: (() => void) | undefined;
    const held = new ConfigClient({
      dialer: await cp.dialer('foo', 'default'), workload: { namespace: 'foo', name: 'slow' },
      onSnapshot: () => new Promise((r) => { release = () => r({ ok: true }); }),
    });
    clients.push(held);
    held.start();
    await until(() => release !== undefined);
    assert.equal(cp.dist.distributor.proxyStatus().find((p) => p.name === 'slow')?.status, 'STALE');
    release?.();
    await until(() => cp.dist.distributor.proxyStatus().find((p) => p.name === 'slow')?.status === 'SYNCED');
  });
});
