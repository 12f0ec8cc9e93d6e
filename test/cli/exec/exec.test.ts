import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeFixture, runCli, runUp, type Fixture, type UpProcess } from '../../platform/local/run-up.js';

const BIN = (JSON.parse(readFileSync('package.json', 'utf8')) as { bin: { meshguard: string } }).bin.meshguard;

test('fails within two seconds with how to start a mesh when none runs', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mg-exec-none-'));
  // Timed on the shipped bin (npm test builds it): under tsx, transpiling alone can take a second on a busy machine.
  const started = performance.now();
  const run = spawnSync(process.execPath, [BIN, 'exec', 'default/sleep', '--data-dir', dataDir, '--', 'true'], { encoding: 'utf8' });
  const r = { status: run.status, stdout: run.stdout, stderr: run.stderr, ms: performance.now() - started };
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /no mesh is running in .*; start one with `meshguard up -f examples\/istio-in-action`/);
  assert.ok(r.ms < 2000, `took ${r.ms} ms`);
});

let f: Fixture;
let up: UpProcess;
before(async () => {
  f = await makeFixture();
  up = await runUp(f);
});
after(async () => {
  up.child.kill('SIGTERM');
  await up.exited;
});

test('a legacy workload reaches a Service by name through its forwarder, and only the command writes stdout', () => {
  const r = runCli(['exec', 'demo/legacy', '--data-dir', f.dataDir, '--', 'curl', '-s', 'app.demo/']);
  assert.equal(r.status, 0, r.stderr);
  const answer = JSON.parse(r.stdout) as { GREETING: string; HOST: string };
  assert.equal(answer.GREETING, 'hello');
  assert.equal(answer.HOST, '127.78.1.1');
});

test('passes stdin and stderr through and exits with the command\'s code', () => {
  const r = runCli(['exec', 'demo/app', '--data-dir', f.dataDir, '--', 'sh', '-c', 'read line; echo "$line:$http_proxy:$NO_PROXY."; echo err >&2; exit 7'], {}, 'in\n');
  assert.equal(r.status, 7);
  assert.match(r.stdout, /^in:http:\/\/127\.77\.1\.1:\d+:\.\n$/);
  assert.equal(r.stderr, 'err\n');
});

test('names the workloads of the mesh when asked for an unknown one', () => {
  const r = runCli(['exec', 'demo/nope', '--data-dir', f.dataDir, '--', 'true']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no workload demo\/nope in the running mesh; its workloads: demo\/app, demo\/legacy/);
});
