import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliControlPlane, runCli, startCliControlPlane } from '../../control/harness/cli.js';

let cp: CliControlPlane;
before(async () => { cp = await startCliControlPlane(); });
after(async () => { await cp.stop(); });
const mg = (...args: string[]) => runCli([...args, '--data-dir', cp.dataDir]);

describe('meshguard token', () => {
  it('create prints the token on its last line as "Token: <value>"', async () => {
    const r = await mg('token', 'create', '--namespace', 'payments', '--service-account', 'checkout');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines.at(-1) ?? '', /^Token: [A-Za-z0-9_-]{43}$/);
    assert.match(r.stdout, /for spiffe:\/\/cluster\.local\/ns\/payments\/sa\/checkout/);
  });

  it('create -o json prints token, spiffeId and expiresAt honouring --ttl', async () => {
    const before = Date.now();
    const r = await mg('token', 'create', '-n', 'payments', '--service-account', 'checkout', '--ttl', '2m', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { token: string; spiffeId: string; expiresAt: string };
    assert.match(out.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(out.spiffeId, 'spiffe://cluster.local/ns/payments/sa/checkout');
    const ttl = Date.parse(out.expiresAt) - before;
    assert.ok(ttl > 110_000 && ttl <= 125_000, `ttl ${ttl}`);
  });

  it('list shows ids and states but never a secret, and revoke changes the state', async () => {
    const created = JSON.parse((await mg('token', 'create', '-n', 'orders', '--service-account', 'api', '-o', 'json')).stdout) as { token: string; id: string };
    const table = await mg('token', 'list');
    assert.match(table.stdout.split('\n')[0] ?? '', /^ID\s+KIND\s+NAMESPACE\s+SERVICE ACCOUNT\s+STATE/);
    assert.ok(table.stdout.includes(created.id));
    assert.ok(!table.stdout.includes(created.token));
    const yaml = await mg('token', 'list', '-o', 'yaml');
    assert.ok(!yaml.stdout.includes(created.token));
    assert.ok(!yaml.stdout.includes('hash'));
    assert.equal((await mg('token', 'revoke', created.id)).code, 0);
    const json = JSON.parse((await mg('token', 'list', '-o', 'json')).stdout) as { items: { id: string; state: string }[] };
    assert.equal(json.items.find((t) => t.id === created.id)?.state, 'revoked');
  });

  it('explains bad input and unknown ids with what to do next', async () => {
    const badNs = await mg('token', 'create', '-n', 'Payments', '--service-account', 'x');
    assert.equal(badNs.code, 1);
    assert.match(badNs.stderr, /namespace "Payments" is not a DNS-1123 label/);
    const badTtl = await mg('token', 'create', '-n', 'a', '--service-account', 'b', '--ttl', 'forever');
    assert.match(badTtl.stderr, /--ttl must look like 30s, 10m, 2h or 1d/);
    const unknown = await mg('token', 'revoke', 'nope');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no token with id nope \(see `meshguard token list`\)/);
  });
});

describe('meshguard token against a control plane that does not answer', () => {
  it('gives up within two seconds of connecting and says how to start one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-hung-'));
    const sock = join(dir, 'admin.sock');
    // Accepts connections and never answers: a hung or half-started control plane.
    const hung = createServer(() => undefined);
    await new Promise<void>((r) => hung.listen(sock, r));
    writeFileSync(join(dir, 'control-plane.json'), JSON.stringify({ pid: process.pid, version: 'x', trustDomain: 'cluster.local', caAddress: null, adminSocket: sock, startedAt: '' }));
    try {
      const quick = await runCli(['token', 'list', '--data-dir', join(dir, 'none')]);
      const r = await runCli(['token', 'list', '--data-dir', dir]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no control plane is running in .*admin socket does not answer.*start one with `meshguard control-plane/);
      // Measured against the same command failing at once, to leave Node's start-up out.
      assert.ok(r.ms - quick.ms < 2000, `waited ${Math.round(r.ms - quick.ms)} ms`);
    } finally {
      hung.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
