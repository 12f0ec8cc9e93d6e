/** End-user authentication (RequestAuthentication): the public surface of `policy/jwt`. */
export { requestAuthenticationsFor, jwtRulesOf } from './applicable.js';
export { authenticate, type AuthnResult } from './authenticate.js';
export {
  claimsToAuthAttributes,
  claimValues,
  splitRequestPrincipal,
  DEFAULT_SPACE_DELIMITED_CLAIMS,
  type RequestAuthAttributes,
} from './claims.js';
export { JwtAuthnError, JWT_FAILURES, type JwtFailureCode } from './errors.js';
export { extractTokens, type ExtractedToken, type HttpRequestParts } from './extract-tokens.js';
export { inlineKeyResolver, type KeyResolver } from './key-resolver.js';
export { verifyToken, CLOCK_SKEW_SECONDS, MAX_TOKEN_LENGTH, SUPPORTED_ALGS } from './verify-token.js';
