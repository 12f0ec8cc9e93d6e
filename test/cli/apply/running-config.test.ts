import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadRunningConfig } from '../../../src/cli/running-config.js';
import { DEFAULT_MESH_CONFIG } from '../../../src/config/index.js';
import { toDocument } from '../../../src/control/distribution/resource-records.js';
import { startTestControlPlane, type TestControlPlane } from '../../control/distribution/harness.js';
import { DENY_ADMIN_YAML, load, MESH_YAML } from '../../control/distribution/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'mg-running-'));
let cp: TestControlPlane;
let now = Date.UTC(2026, 0, 1);
before(async () => { cp = await startTestControlPlane(join(root, 'data'), { now: () => now }); });
after(async () => { await cp.stop(); rmSync(root, { recursive: true, force: true }); });

describe('loadRunningConfig (meshguard check without -f)', () => {
  it('loads the running resources with their stored creationTimestamp and the running mesh config', async () => {
    await cp.dist.distributor.apply({ resources: load(MESH_YAML).map(toDocument), mesh: { ...DEFAULT_MESH_CONFIG, rootNamespace: 'mesh-root' } });
    now += 5000;
    await cp.dist.distributor.apply({ resources: load(DENY_ADMIN_YAML).map(toDocument) });
    const loaded = await loadRunningConfig(cp.dataDir);
    assert.deepEqual(loaded.errors, []);
    assert.equal(loaded.resources.length, load(MESH_YAML).length + 1);
    const deny = loaded.resources.find((r) => r.metadata.name === 'deny-admin');
    assert.equal(deny?.metadata.creationTimestamp, '2026-01-01T00:00:05.000Z');
    assert.equal(loaded.resources.find((r) => r.metadata.name === 'ns-wide')?.metadata.creationTimestamp, '2026-01-01T00:00:00.000Z');
    assert.equal(loaded.mesh.rootNamespace, 'mesh-root');
  });

  it('reflects a delete', async () => {
    await cp.dist.distributor.delete({ resources: load(DENY_ADMIN_YAML).map(toDocument) });
    const loaded = await loadRunningConfig(cp.dataDir);
    assert.equal(loaded.resources.some((r) => r.metadata.name === 'deny-admin'), false);
  });

  it('refuses a mesh config of another trust domain', async () => {
    await assert.rejects(cp.dist.distributor.apply({ resources: [], mesh: { ...DEFAULT_MESH_CONFIG, trustDomain: 'evil.org' } }), { code: 'MG_CONFIG_TRUST_DOMAIN_MISMATCH' });
  });

  it('fails with MG_CONTROL_NOT_RUNNING when no control plane answers', async () => {
    await assert.rejects(loadRunningConfig(join(root, 'absent')), { code: 'MG_CONTROL_NOT_RUNNING' });
  });
});
