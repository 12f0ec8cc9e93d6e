import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startWalCheckpointer } from '../../../src/control/store/wal-checkpointer.js';
import { openSqliteStore } from '../../../src/control/store/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'mg-wal-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A WAL database with automatic checkpoints off and ~2 MB of committed rows still only in the WAL. */
function walWithRows(name: string): { db: Database.Database; path: string } {
  const path = join(dir, name);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (v TEXT)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  for (let i = 0; i < 200; i++) db.transaction(() => { for (let j = 0; j < 10; j++) insert.run('x'.repeat(1000)); })();
  return { db, path };
}

const until = async (check: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return check();
};

describe('WAL checkpoints off the event loop', () => {
  it('copies committed WAL frames into the database file from its worker', async () => {
    const { db, path } = walWithRows('copy.db');
    const before = statSync(path).size;
    assert.ok(statSync(`${path}-wal`).size > 1_000_000, 'the rows are still in the WAL');
    const failures: string[] = [];
    const checkpointer = startWalCheckpointer(path, { intervalMs: 30, onFailure: (r) => void failures.push(r) });
    assert.equal(await until(() => statSync(path).size > before + 1_000_000, 5000), true, 'the database file grew by the checkpointed rows');
    await checkpointer.stop();
    assert.deepEqual(failures, []);
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, 2000);
    db.close();
  });

  it('tells the caller once when its worker cannot checkpoint, so automatic checkpoints go back on', async () => {
    const failures: string[] = [];
    startWalCheckpointer(join(dir, 'missing', 'none.db'), { intervalMs: 30, onFailure: (r) => void failures.push(r) });
    assert.equal(await until(() => failures.length > 0, 5000), true);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(failures.length, 1);
  });

  it('a store that records issued certificates keeps them across close and reopen, checkpointer and all', async () => {
    const path = join(dir, 'store.db');
    const store = openSqliteStore(path);
    const records = Array.from({ length: 300 }, (_, i) => ({ serial: i.toString(16).padStart(32, '0'), spiffeId: 'spiffe://cluster.local/ns/a/sa/b', notAfter: 2e12, issuedAt: 1e12 + i }));
    for (let i = 0; i < records.length; i += 30) await store.recordIssuedCertificates(records.slice(i, i + 30));
    await store.close();
    const again = openSqliteStore(path);
    assert.equal((await again.listIssuedCertificates({ limit: 1000 })).length, 300);
    await again.close();
  });

  it('does not keep the process alive: a script that recorded certificates and never closed the store exits', () => {
    const sqlite = fileURLToPath(new URL('../../../src/control/store/sqlite.ts', import.meta.url));
    const script = `import { openSqliteStore } from ${JSON.stringify(sqlite)};
      const store = openSqliteStore(${JSON.stringify(join(dir, 'left-open.db'))});
      await store.recordIssuedCertificates([{ serial: 'aa', spiffeId: 'spiffe://cluster.local/ns/a/sa/b', notAfter: 2e12, issuedAt: 1e12 }]);`;
    // --input-type=module as well: the worker's CommonJS source must not inherit it.
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 15_000, encoding: 'utf8' });
    assert.equal(run.signal, null, 'it had to be killed');
    assert.equal(run.status, 0, run.stderr);
  });
});
