import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { svidLineage } from '../../../src/control/ca-service/svid-lineage.js';
import { openSqliteStore } from '../../../src/control/store/sqlite.js';
import type { Store } from '../../../src/control/store/store.js';

const dir = mkdtempSync(join(tmpdir(), 'mg-lineage-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshStore = (): Store => openSqliteStore(join(dir, `db-${n++}.sqlite`));
const ID = 'spiffe://cluster.local/ns/a/sa/b';

describe('svidLineage', () => {
  it('finds lineage remembered in memory, and forgets it once the certificate expired', async () => {
    const store = freshStore();
    const lineage = svidLineage(store);
    lineage.remember('aa', { spiffeId: ID, tokenId: 't1', notAfter: 2000 });
    assert.deepEqual(await lineage.lookup('aa', 1000), { spiffeId: ID, tokenId: 't1', notAfter: 2000 });
    assert.equal(await lineage.lookup('aa', 2000), undefined);
    await store.close();
  });

  it('finds lineage after a restart from the issuance record\'s lineage column', async () => {
    const store = freshStore();
    await store.recordIssuedCertificates([{ serial: 'bb', spiffeId: ID, notAfter: 5000, issuedAt: 1, lineage: { entryId: 'e1' } }]);
    const restarted = svidLineage(store);
    assert.deepEqual(await restarted.lookup('bb', 1000), { spiffeId: ID, notAfter: 5000, entryId: 'e1' });
    await store.close();
  });

  it('still finds lineage an older version kept in CA metadata', async () => {
    const store = freshStore();
    await store.recordIssuedCertificates([{ serial: 'cc', spiffeId: ID, notAfter: 5000, issuedAt: 1 }]);
    await store.setCaMetadata('svid.lineage.cc', JSON.stringify({ spiffeId: ID, tokenId: 't9', notAfter: 5000 }));
    assert.deepEqual(await svidLineage(store).lookup('cc', 1000), { spiffeId: ID, tokenId: 't9', notAfter: 5000 });
    await store.close();
  });

  it('attack: treats a recorded certificate without any lineage as unknown, so it cannot skip the revocation checks', async () => {
    const store = freshStore();
    await store.recordIssuedCertificates([{ serial: 'dd', spiffeId: ID, notAfter: 5000, issuedAt: 1 }]);
    assert.equal(await svidLineage(store).lookup('dd', 1000), undefined);
    assert.equal(await svidLineage(store).lookup('ee', 1000), undefined);
    await store.close();
  });
});
