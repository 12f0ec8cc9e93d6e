import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../control/harness/cli.js';
import { startTestControlPlane, type TestControlPlane } from '../../control/distribution/harness.js';
import { DENY_ADMIN_YAML } from '../../control/distribution/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'mg-delete-'));
let cp: TestControlPlane;
before(async () => { cp = await startTestControlPlane(join(root, 'data')); });
after(async () => { await cp.stop(); rmSync(root, { recursive: true, force: true }); });
const mg = (...args: string[]) => runCli([...args, '--data-dir', cp.dataDir]);

describe('meshguard delete', () => {
  it('deletes what the file names, then reports NotFound on stderr with exit 1, unless --ignore-not-found', async () => {
    const path = join(root, 'deny.yaml');
    writeFileSync(path, DENY_ADMIN_YAML);
    assert.equal((await mg('apply', '-f', path)).code, 0);
    const deleted = await mg('delete', '-f', path);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, 'authorizationpolicy.security.istio.io/deny-admin deleted\n');
    assert.deepEqual(await cp.store.listResources(), []);
    const again = await mg('delete', '-f', path);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /Error from server \(NotFound\): authorizationpolicy\.security\.istio\.io\/deny-admin not found in namespace foo/);
    assert.equal((await mg('delete', '-f', path, '--ignore-not-found')).code, 0);
  });
});
