/**
 * `meshguard check` without `-f` evaluates against the running mesh: what
 * `meshguard apply` put in the control plane, exactly as the proxies get it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli, startCliControlPlane, type CliControlPlane } from '../../control/harness/cli.js';

let cp: CliControlPlane;
before(async () => { cp = await startCliControlPlane(); });
after(async () => { await cp.stop(); });

const EX = 'examples/istio-in-action';
const request = ['--to', 'istioinaction/app=webapp:8080', '--path', '/api/catalog', '-o', 'json'];

describe('meshguard check against the running mesh', () => {
  it('follows apply: allowed before the mesh-wide deny-all, denied after it', async () => {
    const applied = await runCli(['apply', '--data-dir', cp.dataDir, '-f', EX]);
    assert.equal(applied.code, 0, applied.stderr);
    const before = await runCli(['check', '--data-dir', cp.dataDir, ...request]);
    assert.equal(before.code, 0, before.stderr);
    assert.equal(JSON.parse(before.stdout).response, 200);

    const deny = await runCli(['apply', '--data-dir', cp.dataDir, '-f', `${EX}/ch9/policy-deny-all-mesh.yaml`]);
    assert.match(deny.stdout, /authorizationpolicy\.security\.istio\.io\/deny-all created/);
    const after = await runCli(['check', '--data-dir', cp.dataDir, ...request]);
    const doc = JSON.parse(after.stdout) as { response: unknown; authz: { trace: { policy: string }[] } };
    assert.equal(doc.response, 403);
    assert.ok(doc.authz.trace.some((t) => t.policy === 'istio-system/deny-all'));
  });

  it('fails with how to start a control plane when none runs', async () => {
    const res = await runCli(['check', '--data-dir', `${cp.dataDir}-absent`, ...request]);
    assert.equal(res.code, 1);
    assert.equal(res.stdout, '');
    assert.match(res.stderr, /meshguard control-plane/);
  });
});
