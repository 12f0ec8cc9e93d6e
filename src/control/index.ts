/** The control plane's public surface. */
export { startControlPlane, type ControlPlaneOptions, type RunningControlPlane, DB_FILE } from './control-plane.js';
export { ControlError, ControlPlaneNotRunningError, StoreSchemaTooNewError, CONTROL_ERROR_STATUS } from './errors.js';
export { IdentityService, type ResolvedIdentity } from './identity-service.js';
export { EntryService, type CreateEntryRequest, normalizeSelectors } from './entries/entry-service.js';
export { checkWorkloadSpiffeId, defaultSpiffeId } from './entries/spiffe-id-check.js';
export { TokenService, type Clock, type CreatedToken, type CreateTokenRequest, type TokenView, DEFAULT_TOKEN_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS } from './tokens/token-service.js';
export { ADMIN_SOCKET, STATE_FILE, type ControlPlaneState, readStateFile } from './state-file.js';
export type { Store, EntryRecord, TokenRecord, TokenKind, IssuedCertRecord, CaSlotName, CaSlotRecord } from './store/store.js';
export { openSqliteStore } from './store/sqlite.js';
export { createIssuedCertRecorder, type IssuedCertRecorder } from './store/issued-cert-recorder.js';
