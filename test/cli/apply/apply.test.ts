import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../control/harness/cli.js';
import { startTestControlPlane, type TestControlPlane } from '../../control/distribution/harness.js';
import { DENY_ADMIN_YAML } from '../../control/distribution/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'mg-apply-'));
let cp: TestControlPlane;
before(async () => { cp = await startTestControlPlane(join(root, 'data')); });
after(async () => { await cp.stop(); rmSync(root, { recursive: true, force: true }); });
const mg = (...args: string[]) => runCli([...args, '--data-dir', cp.dataDir]);
const file = (name: string, text: string) => { const p = join(root, name); writeFileSync(p, text); return p; };

describe('meshguard apply', () => {
  it('prints created, then unchanged, then configured, kubectl style', async () => {
    const path = file('deny.yaml', DENY_ADMIN_YAML);
    const created = await mg('apply', '-f', path);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, 'authorizationpolicy.security.istio.io/deny-admin created\n');
    assert.equal((await mg('apply', '-f', path)).stdout, 'authorizationpolicy.security.istio.io/deny-admin unchanged\n');
    const changed = await mg('apply', '-f', file('deny2.yaml', DENY_ADMIN_YAML.replace('/admin', '/debug')));
    assert.equal(changed.stdout, 'authorizationpolicy.security.istio.io/deny-admin configured\n');
  });

  it('applies nothing when one document is invalid, and names its file and line', async () => {
    const versionBefore = await cp.store.getConfigVersion();
    const good = 'apiVersion: v1\nkind: Service\nmetadata: {name: fresh, namespace: foo}\nspec: {selector: {app: fresh}}\n';
    const bad = 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: broken, namespace: foo}\nspec:\n  action: DENY\n  rules:\n  - to:\n    - operation: {methodz: [GET]}\n';
    const path = file('mixed.yaml', `${good}---\n${bad}`);
    const r = await mg('apply', '-f', path);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:13:19: spec\\.rules\\[0\\]\\.to\\[0\\]\\.operation\\.methodz: unknown field`));
    assert.match(r.stderr, /nothing was applied/);
    assert.equal(await cp.store.getConfigVersion(), versionBefore);
  });

  it('says how to start a control plane when none runs', async () => {
    const r = await runCli(['apply', '-f', file('x.yaml', DENY_ADMIN_YAML), '--data-dir', join(root, 'nothing-here')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no control plane is running/);
  });
});
