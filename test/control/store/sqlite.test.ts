import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../../src/control/store/sqlite.js';
import { LATEST_SCHEMA_VERSION } from '../../../src/control/store/migrations/index.js';
import { runStoreConformance } from './conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'mg-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

// A real file on disk (WAL needs one), fresh per test.
runStoreConformance('sqlite', async () => openSqliteStore(join(dir, `store-${n++}.db`)));

describe('SQLite store migrations', () => {
  it('keeps data across reopen and records each applied version once', async () => {
    const path = join(dir, 'reopen.db');
    const first = openSqliteStore(path);
    await first.setCaMetadata('k', 'v');
    await first.close();
    const second = openSqliteStore(path);
    assert.equal(await second.getCaMetadata('k'), 'v');
    await second.close();
    const db = new Database(path, { readonly: true });
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
    db.close();
    assert.deepEqual(versions.map((v) => v.version), Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it('refuses a database written by a newer meshguard', async () => {
    const path = join(dir, 'newer.db');
    await openSqliteStore(path).close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(LATEST_SCHEMA_VERSION + 1, 'future', 0);
    db.close();
    assert.throws(() => openSqliteStore(path), { code: 'MG_STORE_SCHEMA_TOO_NEW' });
  });

  it('runs in WAL mode', async () => {
    const path = join(dir, 'wal.db');
    await openSqliteStore(path).close();
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  });
});
