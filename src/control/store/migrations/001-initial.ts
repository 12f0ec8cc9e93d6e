/** Version 1: entries, tokens (hashed), issued certificates, CA metadata and slots. */
export const migration001 = {
  version: 1,
  name: 'initial',
  sql: `
    CREATE TABLE entries (
      id TEXT PRIMARY KEY,
      spiffe_id TEXT NOT NULL,
      selectors TEXT NOT NULL, -- JSON array, sorted: equality doubles as the duplicate check
      created_at INTEGER NOT NULL,
      UNIQUE (spiffe_id, selectors)
    );
    CREATE TABLE tokens (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('join', 'local')),
      hash TEXT NOT NULL UNIQUE,
      namespace TEXT NOT NULL,
      service_account TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      used_at INTEGER,
      revoked_at INTEGER
    );
    CREATE TABLE issued_certificates (
      serial TEXT PRIMARY KEY,
      spiffe_id TEXT NOT NULL,
      not_after INTEGER NOT NULL,
      issued_at INTEGER NOT NULL
    );
    CREATE INDEX issued_certificates_spiffe_id ON issued_certificates (spiffe_id);
    CREATE TABLE ca_metadata (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE ca_slots (
      slot TEXT PRIMARY KEY CHECK (slot IN ('current', 'next')),
      key_id TEXT NOT NULL,
      certificate_pem TEXT NOT NULL,
      not_before INTEGER NOT NULL,
      not_after INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
  `,
} as const;
