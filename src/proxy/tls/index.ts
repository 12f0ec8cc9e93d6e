/** The proxy's TLS layer: contexts that follow the identity, and peer SPIFFE identities. */
export { createTlsContextManager, SERVER_ALPN, MIN_TLS_VERSION, type TlsContextManager } from './context-manager.js';
export { peerIdentityOf, type PeerIdentity, type PeerIdentityRefusal } from './peer-identity.js';
export { TlsError, TLS_ERROR_CODES, type TlsErrorCode } from './errors.js';
