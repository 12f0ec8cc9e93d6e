// The workload side of identity: the identity client, its CA interface and stand-in, the secret view.
// The sidecar imports the modules themselves, not this index: the in-process CA loads the whole CA library.
export type { AttestationToken, CaApi, CaBundle, MtlsCredentials, SignedSvid } from './ca-api.js';
export { createInProcessCaApi, verifyPresented, type InProcessCaApi, type InProcessCaOptions } from './in-process-ca.js';
export {
  createIdentityClient, bundlePemOf, DEFAULT_BUNDLE_REFRESH_MS,
  type IdentityClient, type IdentityClientOptions, type IdentityLog, type IdentityState, type IdentityStatus,
} from './identity-client.js';
export { IdentityClientError, IDENTITY_CLIENT_ERROR_CODES, type IdentityClientErrorCode } from './errors.js';
export { writeKeyFileAtomic, KEY_FILE_MODE } from './key-file.js';
export { retryDelay, DEFAULT_BACKOFF_INITIAL_MS, DEFAULT_BACKOFF_MAX_MS, type BackoffSettings } from './retry-backoff.js';
export { generateWorkloadKey, type WorkloadKey } from './workload-key.js';
export { secretsView, type SecretRow } from './secrets-view.js';
export { secretsHandler } from './secrets-handler.js';
