import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, startCliControlPlane } from '../control/harness/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'mg-cli-cp-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('meshguard control-plane', () => {
  it('starts with no flags beyond a data dir, writes control-plane.json, and removes it on SIGTERM', async () => {
    const cp = await startCliControlPlane();
    const state = JSON.parse(readFileSync(join(cp.dataDir, 'control-plane.json'), 'utf8'));
    assert.equal(state.trustDomain, 'cluster.local');
    assert.equal(state.adminSocket, join(cp.dataDir, 'admin.sock'));
    assert.equal(state.pid, cp.child.pid);
    const dataDir = cp.dataDir;
    const code = await cp.stop('SIGTERM');
    assert.equal(code, 0);
    assert.match(cp.output(), /control plane ready/);
    assert.equal(existsSync(join(dataDir, 'control-plane.json')), false);
  });

  it('takes the trust domain from --config, and flags win over the file', async () => {
    const config = join(tmp, 'cp.yaml');
    writeFileSync(config, 'trustDomain: example.org\nlogLevel: warn\n');
    const fromFile = await startCliControlPlane(['--config', config]);
    assert.equal(JSON.parse(readFileSync(join(fromFile.dataDir, 'control-plane.json'), 'utf8')).trustDomain, 'example.org');
    await fromFile.stop();
    const fromFlag = await startCliControlPlane(['--config', config, '--trust-domain', 'flag.test']);
    assert.equal(JSON.parse(readFileSync(join(fromFlag.dataDir, 'control-plane.json'), 'utf8')).trustDomain, 'flag.test');
    await fromFlag.stop('SIGINT');
  });

  it('rejects unknown keys in the config file, naming the allowed ones', async () => {
    const config = join(tmp, 'bad.yaml');
    writeFileSync(config, 'trustdomain: example.org\n');
    const r = await runCli(['control-plane', '--config', config, '--data-dir', join(tmp, 'never')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /allowed keys: trustDomain, listen, dataDir, logLevel/);
  });

  it('rejects a malformed --listen', async () => {
    const r = await runCli(['control-plane', '--listen', 'nope', '--data-dir', join(tmp, 'never2')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--listen must be host:port/);
  });

  it('lets commands find no control plane quickly when control-plane.json is stale', async () => {
    const dataDir = join(tmp, 'stale');
    mkdirSync(dataDir, { recursive: true });
    // A pid that cannot exist (above pid_max) and a socket nobody listens on.
    writeFileSync(join(dataDir, 'control-plane.json'), JSON.stringify({ pid: 2 ** 30, version: 'x', trustDomain: 'cluster.local', caAddress: null, adminSocket: join(dataDir, 'admin.sock'), startedAt: '' }));
    const r = await runCli(['token', 'list', '--data-dir', dataDir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no control plane is running in .*stale.*start one with `meshguard control-plane/);
  });

  it('says how to start one when the data directory has none, within two seconds of work', async () => {
    const r = await runCli(['entry', 'list'], { MESHGUARD_DIR: join(tmp, 'empty') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no control plane is running in .*empty \(no control-plane\.json\); start one with `meshguard control-plane/);
    // Includes Node and tsx start-up; the lookup itself is bounded by the 1.5 s admin timeout.
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  });
});
