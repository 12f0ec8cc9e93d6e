/**
 * The store's schema migrations, in order. A migration is never edited once
 * released: add the next version instead. SQL here is the common subset of
 * SQLite and PostgreSQL so that both backends apply the same list.
 */
import { migration001 } from './001-initial.js';
import { migration002 } from './002-resources.js';
import { migration003 } from './003-issued-lineage.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003];

/** The newest schema version this build knows. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);
