/**
 * The embedded store: one SQLite file (better-sqlite3) in the data directory.
 * WAL mode so the CA's inserts do not block readers; every statement prepared
 * once; migrations applied in a transaction each at open.
 */
import Database from 'better-sqlite3';
import { ControlError, StoreSchemaTooNewError } from '../errors.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations/index.js';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';
import type {
  CaSlotName, CaSlotRecord, EntryRecord, IssuedCertLineage, IssuedCertRecord, PutResourceResult, ResourceInput, ResourceKey, ResourceRecord, Store, TokenRecord,
} from './store.js';

type Row = Record<string, unknown>;

/**
 * Opens (creating if needed) the SQLite store at `path` and brings its schema up to date.
 *
 * @example
 *   const store = openSqliteStore('.meshguard/meshguard.db');
 *   await store.createEntry({ id, spiffeId, selectors: ['k8s:ns:payments'], createdAt: Date.now() });
 */
export function openSqliteStore(path: string): Store {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // WAL + NORMAL is durable across application crashes; a power loss may drop the last
  // transactions, which for issuance records and tokens is an acceptable trade for throughput.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return new SqliteStore(db);
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  if (current > LATEST_SCHEMA_VERSION) throw new StoreSchemaTooNewError(current, LATEST_SCHEMA_VERSION);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    }).immediate();
  }
}

/**
 * A row as its record: each column is the record's field in snake_case
 * (`spiffe_id` → `spiffeId`), so the schema names the mapping once; `grp` is
 * `group`, a reserved word in SQL. Columns that may be NULL come back as null.
 *
 * @example fromRow<IssuedCertRecord>({ serial: 'ab', spiffe_id: 'spiffe://…', not_after: 1, issued_at: 0 })
 */
function fromRow<T>(r: Row): T {
  const out: Row = {};
  for (const column in r) out[fieldName(column)] = r[column];
  return out as T;
}

// Column names are few and fixed: map each once (a regex per column per row showed in the CA's profile).
const fieldNames = new Map<string, string>();
function fieldName(column: string): string {
  let name = fieldNames.get(column);
  if (name === undefined) {
    name = column === 'grp' ? 'group' : column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    fieldNames.set(column, name);
  }
  return name;
}

function cacheRow<T>(cache: Map<string, T | undefined>, id: string, row: T | undefined): void {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(id, row);
}

const toEntry = (r: Row): EntryRecord => ({ ...fromRow<EntryRecord>(r), selectors: JSON.parse(r.selectors as string) as string[] });
const toToken = (r: Row): TokenRecord => fromRow<TokenRecord>(r);
const toIssued = (r: Row): IssuedCertRecord => {
  const { lineage, ...rest } = fromRow<IssuedCertRecord & { lineage: string | null }>(r);
  return lineage === null ? rest : { ...rest, lineage: JSON.parse(lineage) as IssuedCertLineage };
};
const toSlot = (r: Row): CaSlotRecord => fromRow<CaSlotRecord>(r);
const toResource = (r: Row): ResourceRecord => fromRow<ResourceRecord>(r);

/** Unique-constraint failures become a domain error the admin API can answer 409 with. */
function conflict<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT')) {
      throw new ControlError('MG_STORE_CONFLICT', `${what} already exists`, { cause: err });
    }
    throw err;
  }
}

/** SQLite's own default: checkpoint when a commit leaves the WAL over this many pages. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

/** Bound on each read cache; past it the cache starts over (entries and tokens are few in practice). */
const MAX_CACHED = 10_000;

class SqliteStore implements Store {
  private readonly s;
  /*
   * Every renewal reads its entry and token (`IdentityService.checkRenewal`). This process is
   * the database's only writer (the control plane refuses to start beside another), so rows
   * are cached here and every write of an entry or token drops its row before it runs: a
   * delete or revoke is seen by the very next read. Callers get copies, never the cached object.
   */
  private readonly entryCache = new Map<string, EntryRecord | undefined>();
  private readonly tokenCache = new Map<string, TokenRecord | undefined>();
  private readonly insertIssuedBatch;
  private readonly putResourceTx;
  private readonly clearResourcesTx;
  private readonly deleteResourceTx;
  /* Started by the first issuance batch: stores that never issue (most tests, `up`'s fresh start) run no worker. */
  private checkpointer: WalCheckpointer | undefined;

  constructor(private readonly db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insertEntry: p('INSERT INTO entries (id, spiffe_id, selectors, created_at) VALUES (?, ?, ?, ?)'),
      getEntry: p('SELECT * FROM entries WHERE id = ?'),
      listEntries: p('SELECT * FROM entries ORDER BY created_at, id'),
      deleteEntry: p('DELETE FROM entries WHERE id = ?'),
      insertToken: p(`INSERT INTO tokens (id, kind, hash, namespace, service_account, created_at, expires_at, used_at, revoked_at)
                      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      getToken: p('SELECT * FROM tokens WHERE id = ?'),
      findToken: p('SELECT * FROM tokens WHERE hash = ?'),
      listTokens: p('SELECT * FROM tokens ORDER BY created_at, id'),
      // The WHERE clause is the compare-and-set: one statement, so concurrent redemptions cannot both win.
      useToken: p('UPDATE tokens SET used_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL'),
      revokeToken: p('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      insertIssued: p('INSERT INTO issued_certificates (serial, spiffe_id, not_after, issued_at, lineage) VALUES (?, ?, ?, ?, ?)'),
      getIssued: p('SELECT * FROM issued_certificates WHERE serial = ?'),
      listIssued: p('SELECT * FROM issued_certificates ORDER BY issued_at DESC, serial LIMIT ?'),
      listIssuedFor: p('SELECT * FROM issued_certificates WHERE spiffe_id = ? ORDER BY issued_at DESC, serial LIMIT ?'),
      getMeta: p('SELECT value FROM ca_metadata WHERE key = ?'),
      setMeta: p('INSERT INTO ca_metadata (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      getSlot: p('SELECT * FROM ca_slots WHERE slot = ?'),
      putSlot: p(`INSERT INTO ca_slots (slot, key_id, certificate_pem, not_before, not_after, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                  ON CONFLICT (slot) DO UPDATE SET key_id = excluded.key_id, certificate_pem = excluded.certificate_pem,
                  not_before = excluded.not_before, not_after = excluded.not_after, updated_at = excluded.updated_at`),
      getResource: p('SELECT * FROM resources WHERE grp = ? AND kind = ? AND namespace = ? AND name = ?'),
      insertResource: p(`INSERT INTO resources (grp, kind, namespace, name, api_version, body, creation_timestamp, generation, updated_at)
                         VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)`),
      updateResource: p(`UPDATE resources SET api_version = ?, body = ?, generation = generation + 1, updated_at = ?
                         WHERE grp = ? AND kind = ? AND namespace = ? AND name = ?`),
      deleteResource: p('DELETE FROM resources WHERE grp = ? AND kind = ? AND namespace = ? AND name = ?'),
      listResources: p('SELECT * FROM resources ORDER BY grp, kind, namespace, name'),
      clearResources: p('DELETE FROM resources'),
      getVersion: p('SELECT version FROM config_version WHERE id = 1'),
      bumpVersion: p('UPDATE config_version SET version = version + 1 WHERE id = 1'),
    };
    const key = (k: ResourceKey) => [k.group, k.kind, k.namespace, k.name] as const;
    // Read-compare-write in one immediate transaction: two applies of one resource cannot both "create" it.
    this.putResourceTx = db.transaction((input: ResourceInput, at: number): { result: PutResourceResult; record: ResourceRecord } => {
      const existing = this.s.getResource.get(...key(input)) as Row | undefined;
      let result: PutResourceResult;
      if (!existing) {
        this.s.insertResource.run(...key(input), input.apiVersion, input.body, new Date(at).toISOString(), at);
        result = 'created';
      } else if (existing.body === input.body && existing.api_version === input.apiVersion) {
        result = 'unchanged';
      } else {
        this.s.updateResource.run(input.apiVersion, input.body, at, ...key(input));
        result = 'configured';
      }
      if (result !== 'unchanged') this.s.bumpVersion.run();
      return { result, record: toResource(this.s.getResource.get(...key(input)) as Row) };
    });
    this.deleteResourceTx = db.transaction((k: ResourceKey): boolean => {
      const gone = this.s.deleteResource.run(...key(k)).changes === 1;
      if (gone) this.s.bumpVersion.run();
      return gone;
    });
    this.clearResourcesTx = db.transaction((): number => {
      const n = this.s.clearResources.run().changes;
      if (n > 0) this.s.bumpVersion.run();
      return n;
    });
    this.insertIssuedBatch = db.transaction((records: readonly IssuedCertRecord[]) => {
      for (const r of records) {
        this.s.insertIssued.run(r.serial, r.spiffeId, r.notAfter, r.issuedAt, r.lineage ? JSON.stringify(r.lineage) : null);
      }
    });
  }

  async createEntry(e: EntryRecord): Promise<void> {
    this.entryCache.delete(e.id);
    conflict('an entry with this SPIFFE ID and these selectors', () =>
      this.s.insertEntry.run(e.id, e.spiffeId, JSON.stringify(e.selectors), e.createdAt));
  }
  async getEntry(id: string): Promise<EntryRecord | undefined> {
    let e = this.entryCache.get(id);
    if (e === undefined && !this.entryCache.has(id)) {
      const r = this.s.getEntry.get(id) as Row | undefined;
      e = r && toEntry(r);
      cacheRow(this.entryCache, id, e);
    }
    return e && { ...e, selectors: [...e.selectors] };
  }
  async listEntries(): Promise<EntryRecord[]> {
    return (this.s.listEntries.all() as Row[]).map(toEntry);
  }
  async deleteEntry(id: string): Promise<boolean> {
    this.entryCache.delete(id);
    return this.s.deleteEntry.run(id).changes === 1;
  }

  async createToken(t: TokenRecord): Promise<void> {
    this.tokenCache.delete(t.id);
    conflict('a token with this id', () => this.s.insertToken.run(
      t.id, t.kind, t.hash, t.namespace, t.serviceAccount, t.createdAt, t.expiresAt, t.usedAt, t.revokedAt));
  }
  async getToken(id: string): Promise<TokenRecord | undefined> {
    let t = this.tokenCache.get(id);
    if (t === undefined && !this.tokenCache.has(id)) {
      const r = this.s.getToken.get(id) as Row | undefined;
      t = r && toToken(r);
      cacheRow(this.tokenCache, id, t);
    }
    return t && { ...t };
  }
  async findTokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const r = this.s.findToken.get(hash) as Row | undefined;
    return r && toToken(r);
  }
  async listTokens(): Promise<TokenRecord[]> {
    return (this.s.listTokens.all() as Row[]).map(toToken);
  }
  async markTokenUsed(id: string, at: number): Promise<boolean> {
    this.tokenCache.delete(id);
    return this.s.useToken.run(at, id).changes === 1;
  }
  async revokeToken(id: string, at: number): Promise<boolean> {
    this.tokenCache.delete(id);
    return this.s.revokeToken.run(at, id).changes === 1;
  }

  async recordIssuedCertificates(records: readonly IssuedCertRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (!this.checkpointer && !this.db.memory) this.checkpointOffThread();
    conflict('a certificate with this serial', () => this.insertIssuedBatch.immediate(records));
  }
  async listIssuedCertificates(filter: { spiffeId?: string; limit?: number } = {}): Promise<IssuedCertRecord[]> {
    const limit = filter.limit ?? 1000;
    const rows = filter.spiffeId === undefined ? this.s.listIssued.all(limit) : this.s.listIssuedFor.all(filter.spiffeId, limit);
    return (rows as Row[]).map(toIssued);
  }

  async getIssuedCertificate(serial: string): Promise<IssuedCertRecord | undefined> {
    const r = this.s.getIssued.get(serial) as Row | undefined;
    return r && toIssued(r);
  }

  async getCaMetadata(key: string): Promise<string | undefined> {
    return (this.s.getMeta.get(key) as { value: string } | undefined)?.value;
  }
  async setCaMetadata(key: string, value: string): Promise<void> {
    this.s.setMeta.run(key, value);
  }
  async getCaSlot(slot: CaSlotName): Promise<CaSlotRecord | undefined> {
    const r = this.s.getSlot.get(slot) as Row | undefined;
    return r && toSlot(r);
  }
  async putCaSlot(r: CaSlotRecord): Promise<void> {
    this.s.putSlot.run(r.slot, r.keyId, r.certificatePem, r.notBefore, r.notAfter, r.updatedAt);
  }

  async putResource(input: ResourceInput, at: number): Promise<{ result: PutResourceResult; record: ResourceRecord }> {
    return this.putResourceTx.immediate(input, at);
  }
  async getResource(k: ResourceKey): Promise<ResourceRecord | undefined> {
    const r = this.s.getResource.get(k.group, k.kind, k.namespace, k.name) as Row | undefined;
    return r && toResource(r);
  }
  async deleteResource(k: ResourceKey): Promise<boolean> {
    return this.deleteResourceTx.immediate(k);
  }
  async listResources(): Promise<ResourceRecord[]> {
    return (this.s.listResources.all() as Row[]).map(toResource);
  }
  async clearResources(): Promise<number> {
    return this.clearResourcesTx.immediate();
  }
  async getConfigVersion(): Promise<number> {
    return (this.s.getVersion.get() as { version: number }).version;
  }

  /** Moves WAL checkpoints off this thread (see wal-checkpointer.ts); back on, should the worker fail. */
  private checkpointOffThread(): void {
    this.db.pragma('wal_autocheckpoint = 0');
    this.checkpointer = startWalCheckpointer(this.db.name, {
      onFailure: () => { if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`); },
    });
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }
}
