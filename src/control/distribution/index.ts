/**
 * Configuration distribution, started by the control plane: the distributor
 * (store → per-proxy snapshots) and the stream proxies connect to.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import { ConfigDistributor } from './distributor.js';
import { mtlsStreamTransport, type StreamServingIdentity } from './mtls-transport.js';
import { serveConfigStream } from './stream.js';

export { ConfigDistributor, DEFAULT_DEBOUNCE_MS, type ChangeResult, type DistributorOptions, type IdentityGuard, type ProxySession } from './distributor.js';
export { buildSnapshot, meshState, toEndpoint, type MeshState, type ProxyRef } from './snapshot.js';
export { syncStatus, type ProxyRecord, type ProxyStatus, type SyncStatus } from './proxy-status.js';
export { serveConfigStream, HELLO_TIMEOUT_MS, type StreamListener, type StreamTransport } from './stream.js';
export { mtlsStreamTransport, HANDSHAKE_TIMEOUT_MS, STREAM_MIN_TLS_VERSION, type StreamServingIdentity } from './mtls-transport.js';
export { checkProxyIdentity, spiffeIdOf, type ProxyIdentityCheck } from './proxy-identity.js';
export { ConfigRejectedError, DISTRIBUTION_ERROR_CODES, STREAM_ERROR_CODES } from './errors.js';
export { type ConfigRequest, type ResourceDocument, kubectlRef, toDocument, validateRequest } from './resource-records.js';

/** Default: a free loopback port (control-plane.json tells proxies which). */
export const DEFAULT_STREAM_LISTEN = '127.0.0.1:0';

export interface DistributionOptions {
  store: Store;
  trustDomain: string;
  log: Logger;
  now?: () => number;
  /** The control plane's SVID and trusted roots: the stream is mTLS with them. */
  serving: StreamServingIdentity;
  /** `host:port` to listen on (default `DEFAULT_STREAM_LISTEN`). */
  listen?: string;
  debounceMs?: number;
}

export interface RunningDistribution {
  distributor: ConfigDistributor;
  /** Where proxies dial the configuration stream. */
  streamAddress: string;
  close(): Promise<void>;
}

/**
 * @example
 *   const dist = await startDistribution({ store, trustDomain: 'cluster.local', log, serving: ca.serving });
 *   // admin context: { …, distribution: dist.distributor }; control-plane.json: { …, configAddress: dist.streamAddress }
 */
export async function startDistribution(opts: DistributionOptions): Promise<RunningDistribution> {
  const distributor = new ConfigDistributor({
    store: opts.store, trustDomain: opts.trustDomain, log: opts.log,
    ...(opts.now ? { now: opts.now } : {}), ...(opts.debounceMs !== undefined ? { debounceMs: opts.debounceMs } : {}),
  });
  const transport = mtlsStreamTransport({ listen: opts.listen ?? DEFAULT_STREAM_LISTEN, serving: opts.serving });
  const listener = await serveConfigStream(transport, distributor, opts.log);
  opts.log.info({ address: listener.address }, 'configuration stream serving over mTLS');
  return {
    distributor,
    streamAddress: listener.address,
    close: async () => {
      distributor.close();
      await listener.close();
    },
  };
}
export { type DistributedSnapshot, type SnapshotEndpoint, MAX_LINE_BYTES } from './wire.js';
