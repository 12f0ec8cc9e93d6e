/** The sidecar's inbound side: its public surface. */
export { createInboundProxy, type InboundProxy, type InboundProxyOptions, type SnapshotUpdate } from './inbound-proxy.js';
export type { InboundPort, InboundRequest, Handler, Layer } from './layer.js';
export { compose } from './layer.js';
export { InboundError, INBOUND_ERROR_CODES, type InboundErrorCode } from './errors.js';
export { TokenCache, DEFAULT_TOKEN_CACHE_SIZE, DEFAULT_TOKEN_CACHE_TTL_MS } from './token-cache.js';
export { xfccElement } from './set-xfcc.js';
export { createConnectionGate, DEFAULT_MAX_CONNECTIONS, type ConnectionGate } from './connection-gate.js';
export type { ProxyLog } from './listener.js';
