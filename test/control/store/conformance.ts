/**
 * The conformance suite every `Store` backend must pass (SQLite now, PostgreSQL
 * later). Call it from a backend's test file with a factory for fresh stores.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { EntryRecord, ResourceInput, Store, TokenRecord } from '../../../src/control/store/store.js';

export type OpenStore = () => Promise<Store>;

const entry = (id: string, selectors: string[], createdAt = 1000): EntryRecord =>
  ({ id, spiffeId: `spiffe://cluster.local/${id}`, selectors, createdAt });

const token = (id: string, over: Partial<TokenRecord> = {}): TokenRecord => ({
  id, kind: 'join', hash: `${id}`.padEnd(64, '0'), namespace: 'payments', serviceAccount: 'checkout',
  createdAt: 1000, expiresAt: 2000, usedAt: null, revokedAt: null, ...over,
});

const policy = (name: string, body = '{"spec":{}}', namespace = 'foo'): ResourceInput => ({
  group: 'security.istio.io', kind: 'AuthorizationPolicy', namespace, name, apiVersion: 'security.istio.io/v1', body,
});

export function runStoreConformance(backend: string, open: OpenStore): void {
  describe(`Store conformance: ${backend}`, () => {
    const opened: Store[] = [];
    const fresh = async () => { const s = await open(); opened.push(s); return s; };
    after(async () => { for (const s of opened) await s.close(); });

    it('stores, lists (oldest first) and deletes registration entries', async () => {
      const s = await fresh();
      await s.createEntry(entry('b', ['k8s:ns:b'], 2000));
      await s.createEntry(entry('a', ['k8s:ns:a', 'k8s:sa:x'], 1000));
      assert.deepEqual((await s.listEntries()).map((e) => e.id), ['a', 'b']);
      assert.deepEqual(await s.getEntry('a'), entry('a', ['k8s:ns:a', 'k8s:sa:x'], 1000));
      assert.equal(await s.deleteEntry('a'), true);
      assert.equal(await s.deleteEntry('a'), false);
      assert.equal(await s.getEntry('a'), undefined);
    });

    it('refuses a second entry with the same SPIFFE ID and selectors', async () => {
      const s = await fresh();
      await s.createEntry(entry('a', ['k8s:ns:a']));
      await assert.rejects(s.createEntry({ ...entry('a', ['k8s:ns:a']), id: 'other' }), { code: 'MG_STORE_CONFLICT' });
    });

    it('finds tokens by hash and by id, and lists them', async () => {
      const s = await fresh();
      await s.createToken(token('t1'));
      assert.deepEqual(await s.findTokenByHash(token('t1').hash), token('t1'));
      assert.deepEqual(await s.getToken('t1'), token('t1'));
      assert.equal(await s.findTokenByHash('f'.repeat(64)), undefined);
      assert.equal((await s.listTokens()).length, 1);
    });

    it('marks a token used exactly once, even under concurrent calls', async () => {
      const s = await fresh();
      await s.createToken(token('t1'));
      const wins = await Promise.all(Array.from({ length: 20 }, (_, i) => s.markTokenUsed('t1', 1500 + i)));
      assert.equal(wins.filter(Boolean).length, 1);
      assert.notEqual((await s.getToken('t1'))?.usedAt, null);
    });

    it('does not mark a revoked token used, and revokes only once', async () => {
      const s = await fresh();
      await s.createToken(token('t1'));
      assert.equal(await s.revokeToken('t1', 1200), true);
      assert.equal(await s.revokeToken('t1', 1300), false);
      assert.equal(await s.markTokenUsed('t1', 1400), false);
      assert.equal((await s.getToken('t1'))?.revokedAt, 1200);
      assert.equal(await s.revokeToken('missing', 1), false);
    });

    it('records issued certificates in batches and lists them newest first, by SPIFFE ID', async () => {
      const s = await fresh();
      await s.recordIssuedCertificates([
        { serial: '01', spiffeId: 'spiffe://cluster.local/a', notAfter: 5, issuedAt: 1 },
        { serial: '02', spiffeId: 'spiffe://cluster.local/b', notAfter: 6, issuedAt: 2 },
      ]);
      await s.recordIssuedCertificates([]);
      assert.deepEqual((await s.listIssuedCertificates()).map((r) => r.serial), ['02', '01']);
      assert.deepEqual(await s.listIssuedCertificates({ spiffeId: 'spiffe://cluster.local/a' }),
        [{ serial: '01', spiffeId: 'spiffe://cluster.local/a', notAfter: 5, issuedAt: 1 }]);
      assert.equal((await s.listIssuedCertificates({ limit: 1 })).length, 1);
    });

    it('keeps each certificate\'s lineage with its record and finds a record by serial', async () => {
      const s = await fresh();
      await s.recordIssuedCertificates([
        { serial: '0a', spiffeId: 'spiffe://cluster.local/a', notAfter: 5, issuedAt: 1, lineage: { entryId: 'e1', tokenId: 't1' } },
        { serial: '0b', spiffeId: 'spiffe://cluster.local/b', notAfter: 6, issuedAt: 2, lineage: {} },
        { serial: '0c', spiffeId: 'spiffe://cluster.local/c', notAfter: 7, issuedAt: 3 },
      ]);
      assert.deepEqual(await s.getIssuedCertificate('0a'),
        { serial: '0a', spiffeId: 'spiffe://cluster.local/a', notAfter: 5, issuedAt: 1, lineage: { entryId: 'e1', tokenId: 't1' } });
      assert.deepEqual((await s.getIssuedCertificate('0b'))?.lineage, {});
      assert.equal((await s.getIssuedCertificate('0c'))?.lineage, undefined);
      assert.equal(await s.getIssuedCertificate('0d'), undefined);
    });

    it('rejects a batch with a duplicate serial as a whole', async () => {
      const s = await fresh();
      const r = { serial: '01', spiffeId: 'spiffe://cluster.local/a', notAfter: 5, issuedAt: 1 };
      await assert.rejects(s.recordIssuedCertificates([r, { ...r, serial: '02' }, r]), { code: 'MG_STORE_CONFLICT' });
      assert.deepEqual(await s.listIssuedCertificates(), []);
    });

    it('keeps CA metadata and replaces CA slots', async () => {
      const s = await fresh();
      assert.equal(await s.getCaMetadata('trustDomain'), undefined);
      await s.setCaMetadata('trustDomain', 'cluster.local');
      await s.setCaMetadata('trustDomain', 'example.org');
      assert.equal(await s.getCaMetadata('trustDomain'), 'example.org');
      const slot = { slot: 'current' as const, keyId: 'k1', certificatePem: 'PEM', notBefore: 1, notAfter: 2, updatedAt: 3 };
      await s.putCaSlot(slot);
      await s.putCaSlot({ ...slot, keyId: 'k2' });
      assert.deepEqual(await s.getCaSlot('current'), { ...slot, keyId: 'k2' });
      assert.equal(await s.getCaSlot('next'), undefined);
    });

    it('stamps creationTimestamp on create and keeps it when a resource is updated', async () => {
      const s = await fresh();
      const created = await s.putResource(policy('deny-all'), Date.UTC(2026, 0, 1));
      assert.equal(created.result, 'created');
      assert.equal(created.record.creationTimestamp, '2026-01-01T00:00:00.000Z');
      assert.equal(created.record.generation, 1);
      const updated = await s.putResource(policy('deny-all', '{"spec":{"action":"DENY"}}'), Date.UTC(2026, 0, 2));
      assert.equal(updated.result, 'configured');
      assert.equal(updated.record.creationTimestamp, '2026-01-01T00:00:00.000Z');
      assert.equal(updated.record.generation, 2);
      assert.equal(updated.record.updatedAt, Date.UTC(2026, 0, 2));
      assert.equal(updated.record.body, '{"spec":{"action":"DENY"}}');
    });

    it('reports an identical apply unchanged and does not bump the config version for it', async () => {
      const s = await fresh();
      assert.equal(await s.getConfigVersion(), 0);
      await s.putResource(policy('a'), 1000);
      assert.equal(await s.getConfigVersion(), 1);
      const again = await s.putResource(policy('a'), 2000);
      assert.equal(again.result, 'unchanged');
      assert.equal(again.record.generation, 1);
      assert.equal(await s.getConfigVersion(), 1);
      assert.equal((await s.putResource({ ...policy('a'), apiVersion: 'security.istio.io/v1beta1' }, 3000)).result, 'configured');
      assert.equal(await s.getConfigVersion(), 2);
    });

    it('lists resources in key order, deletes one and bumps the version only for a real delete', async () => {
      const s = await fresh();
      await s.putResource(policy('b'), 1000);
      await s.putResource(policy('a', '{"spec":{}}', 'zeta'), 1000);
      await s.putResource(policy('a'), 1000);
      assert.deepEqual((await s.listResources()).map((r) => `${r.namespace}/${r.name}`), ['foo/a', 'foo/b', 'zeta/a']);
      const before = await s.getConfigVersion();
      assert.equal(await s.deleteResource(policy('a')), true);
      assert.equal(await s.deleteResource(policy('a')), false);
      assert.equal(await s.getConfigVersion(), before + 1);
      assert.equal(await s.getResource(policy('a')), undefined);
      assert.equal((await s.getResource(policy('b')))?.name, 'b');
    });

    it('keys resources by group and kind too, so same-named kinds do not collide', async () => {
      const s = await fresh();
      await s.putResource(policy('x'), 1000);
      await s.putResource({ ...policy('x'), group: 'policy.linkerd.io' }, 1000);
      await s.putResource({ ...policy('x'), kind: 'PeerAuthentication' }, 1000);
      assert.equal((await s.listResources()).length, 3);
    });

    it('clears every resource and then counts it as one change', async () => {
      const s = await fresh();
      assert.equal(await s.clearResources(), 0);
      assert.equal(await s.getConfigVersion(), 0);
      await s.putResource(policy('a'), 1000);
      await s.putResource(policy('b'), 1000);
      assert.equal(await s.clearResources(), 2);
      assert.deepEqual(await s.listResources(), []);
      assert.equal(await s.getConfigVersion(), 3);
      assert.equal((await s.putResource(policy('a'), 5000)).record.creationTimestamp, new Date(5000).toISOString());
    });
  });
}
