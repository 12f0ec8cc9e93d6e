/**
 * The shipped entry point (`bin.meshguard`, bundled by `npm run build`) runs the
 * README's main command and answers like the sources do. `npm test` builds first.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: { meshguard: string } };
const BIN = pkg.bin.meshguard;

describe('the built meshguard bin', () => {
  it('exists after npm run build', () => {
    assert.ok(existsSync(BIN), `${BIN} is missing: run \`npm run build\` first`);
  });

  it("runs the README's check command and allows the namespace-policy request", () => {
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
    for (const cmd of ['check', 'analyze', 'control-plane', 'token', 'entry']) assert.match(res.stdout, new RegExp(`\\b${cmd}\\b`));
  });
});
