import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type CliControlPlane, runCli, startCliControlPlane } from '../../control/harness/cli.js';

let cp: CliControlPlane;
before(async () => { cp = await startCliControlPlane(); });
after(async () => { await cp.stop(); });
const mg = (...args: string[]) => runCli([...args, '--data-dir', cp.dataDir]);

describe('meshguard entry', () => {
  it('creates an entry with repeated --selector, lists it and deletes it', async () => {
    const created = await mg('entry', 'create', '--spiffe-id', 'spiffe://cluster.local/payments/checkout',
      '--selector', 'k8s:ns:payments', '--selector', 'k8s:sa:checkout-service', '-o', 'json');
    assert.equal(created.code, 0, created.stderr);
    const entry = JSON.parse(created.stdout) as { id: string; spiffeId: string; selectors: string[] };
    assert.deepEqual(entry.selectors, ['k8s:ns:payments', 'k8s:sa:checkout-service']);

    const table = await mg('entry', 'list');
    assert.match(table.stdout, /^ID\s+SPIFFE ID\s+SELECTORS\s+AGE/);
    assert.match(table.stdout, new RegExp(`${entry.id}\\s+spiffe://cluster\\.local/payments/checkout\\s+k8s:ns:payments,k8s:sa:checkout-service`));

    assert.equal((await mg('entry', 'delete', entry.id)).code, 0);
    const after = JSON.parse((await mg('entry', 'list', '-o', 'json')).stdout) as { items: unknown[] };
    assert.deepEqual(after.items, []);
    assert.match((await mg('entry', 'list')).stdout, /No resources found\./);
  });

  it('prints the created entry SPIRE-style by default', async () => {
    const r = await mg('entry', 'create', '--spiffe-id', 'spiffe://cluster.local/web', '--selector', 'k8s:ns:web');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Entry ID {2}: [0-9a-f-]{36}\nSPIFFE ID : spiffe:\/\/cluster\.local\/web\nSelector {2}: k8s:ns:web\n$/);
  });

  it('refuses a SPIFFE ID of another trust domain, a bad selector and a duplicate', async () => {
    const other = await mg('entry', 'create', '--spiffe-id', 'spiffe://evil.org/x', '--selector', 'k8s:ns:a');
    assert.equal(other.code, 1);
    assert.match(other.stderr, /the trust domain must be cluster\.local/);
    const badSel = await mg('entry', 'create', '--spiffe-id', 'spiffe://cluster.local/x', '--selector', 'payments');
    assert.match(badSel.stderr, /selector "payments" is not type:value \(e\.g\. k8s:ns:payments/);
    await mg('entry', 'create', '--spiffe-id', 'spiffe://cluster.local/dup', '--selector', 'k8s:ns:d');
    const dup = await mg('entry', 'create', '--spiffe-id', 'spiffe://cluster.local/dup', '--selector', 'k8s:ns:d');
    assert.match(dup.stderr, /already exists/);
  });

  it('reports deleting an unknown entry and a bad -o', async () => {
    assert.match((await mg('entry', 'delete', 'nope')).stderr, /no entry with id nope \(see `meshguard entry list`\)/);
    assert.match((await mg('entry', 'list', '-o', 'xml')).stderr, /-o must be table, json or yaml/);
  });
});
