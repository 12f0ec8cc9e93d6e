/** Envoy's HTTP ext_authz for CUSTOM authorization: provider settings, the check request, its answer, the call. */
export {
  parseHttpProvider, extAuthzProviders, headerPattern, headerMatches, durationMs,
  DEFAULT_EXT_AUTHZ_TIMEOUT_MS, DEFAULT_STATUS_ON_ERROR, DEFAULT_MAX_REQUEST_BYTES,
  type HttpExtAuthzProvider, type HeaderPattern, type ProviderLookup,
} from './provider.js';
export { buildCheckRequest, type CheckInput, type CheckRequest } from './check-request.js';
export { mapCheckResponse, PROTECTED_HEADERS, type CheckOutcome, type CheckResponse } from './check-response.js';
export { createExtAuthzClient, MAX_CHECK_RESPONSE_BYTES, type ExtAuthzClient } from './check-client.js';
export { ExtAuthzError, EXT_AUTHZ_ERROR_CODES, type ExtAuthzErrorCode } from './errors.js';
