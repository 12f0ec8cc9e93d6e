/**
 * The shipped entry point (`bin.meshguard`, bundled by `npm run build`) runs the
 * README's main command and answers like the sources do. `npm test` builds first.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: { meshguard: string } };
const BIN = pkg.bin.meshguard;

describe('the built meshguard bin', () => {
  it('exists after npm run build', () => {
    assert.ok(existsSync(BIN), `${BIN} is missing: run \`npm run build\` first`);
  });

  it('runs check on the bundled example and allows the namespace-policy request', () => {
    const out = execFileSync(process.execPath, [BIN, 'check',
      '-f', 'examples/istio-in-action',
      '-f', 'examples/istio-in-action/ch9/policy-deny-all-mesh.yaml',
      '-f', 'examples/istio-in-action/ch9/webapp-allow-view-default-ns.yaml',
      '--request', 'examples/requests/sleep-to-webapp-mtls.json', '-o', 'json'], { encoding: 'utf8' });
    const doc = JSON.parse(out) as { response: unknown; authz: { ruleName: string } };
    assert.equal(doc.response, 200);
    assert.equal(doc.authz.ruleName, 'ns[istioinaction]-policy[webapp-allow-view-default-ns]-rule[0]');
  });

  it('lists every registered command in --help', () => {
    const res = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    assert.equal(res.status, 0);
    for (const cmd of ['up', 'down', 'exec', 'proxy', 'apply', 'check', 'analyze', 'control-plane', 'token', 'entry', 'ca', 'proxy-status', 'proxy-config']) assert.match(res.stdout, new RegExp(`\\b${cmd}\\b`));
  });

  it("runs the README's main command: up on the bundled example serves traffic, then down stops it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-bin-'));
    const env = { ...process.env, MESHGUARD_DIR: join(dir, '.meshguard') };
    const up = spawn(process.execPath, [BIN, 'up', '-f', 'examples/istio-in-action'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => up.once('exit', (code) => done(code)));
    try {
      let out = '';
      up.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const deadline = Date.now() + 30_000;
      while (!out.includes('mesh ready') && Date.now() < deadline && up.exitCode === null) await new Promise((t) => setTimeout(t, 100));
      assert.match(out, /mesh ready/);
      const status = execFileSync(process.execPath, [BIN, 'exec', 'default/sleep', '--', 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'webapp.istioinaction/api/catalog'], { env, encoding: 'utf8' });
      assert.equal(status, '200');
      execFileSync(process.execPath, [BIN, 'down'], { env });
      assert.equal(await exited, 0);
    } finally {
      if (up.exitCode === null) up.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
