import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeFixture, pidsMentioning, runCli, runUp } from '../../platform/local/run-up.js';

async function getJson(url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url);
  return (await res.json()) as Record<string, unknown>;
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

test('starts the app only once its sidecar is ready, with HOST, PORT, the proxy variables and its own env; SIGTERM stops all and exits 0', async () => {
  const f = await makeFixture();
  const up = await runUp(f, { STAND_IN_READY_DELAY_MS: '800' });
  try {
    const proxy = JSON.parse(readFileSync(join(f.dataDir, 'proxies/demo.app.json'), 'utf8')) as { readyAt: number; outboundAddress: string };
    // Through the sidecar's inbound listener on the workload address, to the app on its own address.
    const app = await getJson(`http://127.77.1.1:${f.appPort}/`);
    assert.ok((app.startedAt as number) >= proxy.readyAt, 'the app started before its sidecar was ready');
    assert.equal(app.HOST, '127.78.1.1');
    assert.equal(app.PORT, String(f.appPort));
    assert.equal(app.http_proxy, `http://${proxy.outboundAddress}`);
    assert.equal(app.HTTP_PROXY, app.http_proxy);
    assert.equal(app.NO_PROXY, '');
    assert.equal(app.GREETING, 'hello');
    assert.match(up.stdout(), /demo\/app\s+spiffe:\/\/cluster\.local\/ns\/demo\/sa\/app\s+127\.77\.1\.1/);
    assert.match(up.stdout(), /meshguard exec demo\/legacy -- curl -s app\.demo\//);
    assert.match(up.stderr(), /\[demo\/app\] fixture app listening on 127\.78\.1\.1/);
  } finally {
    up.child.kill('SIGTERM');
  }
  assert.equal(await up.exited, 0);
  assert.equal(existsSync(join(f.dataDir, 'up.json')), false);
  assert.deepEqual(pidsMentioning(f.dir), []);
});

test('children stop by themselves within a few seconds when up is SIGKILLed', async () => {
  const f = await makeFixture();
  const up = await runUp(f);
  const children = pidsMentioning(f.dir).filter((p) => p !== up.child.pid);
  assert.ok(children.length >= 4, `expected watchdogs, a sidecar and an app, found ${children.length}`);
  up.child.kill('SIGKILL');
  await up.exited;
  assert.ok(await until(() => pidsMentioning(f.dir).length === 0, 5000), `still running: ${pidsMentioning(f.dir).join(', ')}`);
});

test('takes over a .meshguard left by a killed run, and refuses while another up is alive', async () => {
  const f = await makeFixture();
  mkdirSync(f.dataDir, { recursive: true });
  const dead = spawnSync('true').pid;
  writeFileSync(join(f.dataDir, 'up.json'), JSON.stringify({ pid: dead, startedAt: '2024-01-01T00:00:00Z', workloads: [] }));
  const up = await runUp(f);
  try {
    assert.match(up.stderr(), new RegExp(`took over .* \\(pid ${dead}\\) that is gone`));
    const second = runCli(['up', '-f', f.dir, '--data-dir', f.dataDir]);
    assert.equal(second.status, 1);
    assert.match(second.stderr, /a mesh is already running in .* \(meshguard up, pid \d+\); stop it with `meshguard down` first/);
    assert.equal(second.stdout, '');
  } finally {
    up.child.kill('SIGINT');
  }
  assert.equal(await up.exited, 0);
});

test('a configuration error exits 1 before anything starts', () => {
  const r = runCli(['up', '-f', 'test/platform/local/no-such-dir', '--data-dir', '/tmp/mg-never-created']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot read test\/platform\/local\/no-such-dir: no such file or directory/);
  assert.equal(existsSync('/tmp/mg-never-created'), false);
});
