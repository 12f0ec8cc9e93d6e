import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeFixture, pidsMentioning, runCli, runUp } from '../../platform/local/run-up.js';

test('stops the running mesh: up exits 0, its children are gone, up.json is removed', async () => {
  const f = await makeFixture();
  const up = await runUp(f);
  const r = runCli(['down', '--data-dir', f.dataDir]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `mesh stopped (meshguard up, pid ${up.child.pid})\n`);
  assert.equal(await up.exited, 0);
  assert.equal(existsSync(join(f.dataDir, 'up.json')), false);
  assert.deepEqual(pidsMentioning(f.dir), []);
});

test('says so and exits 1 when no mesh runs', () => {
  const r = runCli(['down', '--data-dir', mkdtempSync(join(tmpdir(), 'mg-down-none-'))]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no mesh is running in /);
});
