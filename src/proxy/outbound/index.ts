/** The sidecar's outbound side: the app's HTTP proxy, service resolution, auto mTLS with secure naming, pooled upstreams. */
export { createOutboundProxy, DEFAULT_OUTBOUND_PORT, type OutboundProxy, type OutboundProxyOptions } from './http-proxy.js';
export { resolveDestination, splitAuthority, CLUSTER_DNS_SUFFIX, DEFAULT_HTTP_PORT, type Resolution, type ResolvedEndpoint, type PortProtocol } from './resolve.js';
export { createUpstreamPool, transportFailureReason, type UpstreamPool, type UpstreamTarget, type UpstreamStats } from './upstream-pool.js';
export { secureNamingCheck } from './secure-naming.js';
export { pickDestination, PASSTHROUGH_CLUSTER, BLACKHOLE_CLUSTER, type Destination } from './destination.js';
export { createRoundRobin, type RoundRobin } from './round-robin.js';
export { ORIGIN_FORM_HINT } from './forward-request.js';
export { OutboundError, OUTBOUND_ERROR_CODES, type OutboundErrorCode } from './errors.js';
export type { OutboundLog } from './outbound-deps.js';
