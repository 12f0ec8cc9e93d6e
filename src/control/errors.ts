/**
 * Errors of the control plane: the store, tokens, registration entries, the
 * admin API and finding a running control plane. Each code maps to the HTTP
 * status the admin API answers with, so the CLI can show the same code.
 */
import { MeshguardError } from '../errors.js';

/** code → HTTP status on the admin API (400 unless listed). */
export const CONTROL_ERROR_STATUS: Record<string, number> = {
  MG_CONTROL_BAD_REQUEST: 400,
  MG_CONTROL_NOT_FOUND: 404,
  MG_ENTRY_INVALID: 400,
  MG_ENTRY_EXISTS: 409,
  MG_ENTRY_NOT_FOUND: 404,
  MG_SPIFFE_ID_INVALID: 400,
  MG_TOKEN_INVALID_REQUEST: 400,
  MG_TOKEN_NOT_FOUND: 404,
  MG_STORE_SCHEMA_TOO_NEW: 500,
  MG_STORE_CONFLICT: 409,
  MG_CONTROL_INTERNAL: 500,
  MG_CONTROL_ALREADY_RUNNING: 409,
  MG_CONTROL_BAD_TRUST_DOMAIN: 400,
  MG_RENEWAL_ENTRY_DELETED: 403,
  MG_RENEWAL_TOKEN_REVOKED: 403,
};

export class ControlError extends MeshguardError {
  /** The HTTP status the admin API answers with for this error. */
  get status(): number {
    return CONTROL_ERROR_STATUS[this.code] ?? 400;
  }
}

/** The store's schema is newer than this binary understands (a downgrade): refuse rather than corrupt it. */
export class StoreSchemaTooNewError extends ControlError {
  constructor(found: number, known: number) {
    super('MG_STORE_SCHEMA_TOO_NEW', `the store is at schema version ${found}, this meshguard knows up to ${known}; upgrade meshguard or use another --data-dir`);
  }
}

/** No control plane answers in the data directory (absent, stale, or not ready yet). */
export class ControlPlaneNotRunningError extends MeshguardError {
  readonly dataDir: string;
  constructor(dataDir: string, reason: string) {
    super('MG_CONTROL_NOT_RUNNING', `no control plane is running in ${dataDir} (${reason}); start one with \`meshguard control-plane --data-dir ${dataDir}\``);
    this.dataDir = dataDir;
  }
}
