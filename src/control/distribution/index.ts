/**
 * Configuration distribution, started by the control plane: the distributor
 * (store → per-proxy snapshots) and the stream proxies connect to.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';
import { ConfigDistributor } from './distributor.js';
import { devTcpTransport, serveConfigStream, type StreamTransport } from './stream.js';

export { ConfigDistributor, DEFAULT_DEBOUNCE_MS, type ChangeResult, type DistributorOptions, type ProxySession } from './distributor.js';
export { buildSnapshot, meshState, toEndpoint, type MeshState, type ProxyRef } from './snapshot.js';
export { syncStatus, type ProxyRecord, type ProxyStatus, type SyncStatus } from './proxy-status.js';
export { devTcpTransport, serveConfigStream, HELLO_TIMEOUT_MS, type StreamListener, type StreamTransport } from './stream.js';
export { ConfigRejectedError, DISTRIBUTION_ERROR_CODES } from './errors.js';
export { type ConfigRequest, type ResourceDocument, kubectlRef, toDocument, validateRequest } from './resource-records.js';

/** Dev default: a free loopback port, plaintext (see `devTcpTransport`). */
export const DEFAULT_STREAM_LISTEN = '127.0.0.1:0';

export interface DistributionOptions {
  store: Store;
  trustDomain: string;
  log: Logger;
  now?: () => number;
  /** `host:port` for the dev transport; ignored when `transport` is given. */
  listen?: string;
  transport?: StreamTransport;
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
 *   const dist = await startDistribution({ store, trustDomain: 'cluster.local', log });
 *   // admin context: { …, distribution: dist.distributor }; control-plane.json: { …, configAddress: dist.streamAddress }
 */
export async function startDistribution(opts: DistributionOptions): Promise<RunningDistribution> {
  const distributor = new ConfigDistributor({
    store: opts.store, trustDomain: opts.trustDomain, log: opts.log,
    ...(opts.now ? { now: opts.now } : {}), ...(opts.debounceMs !== undefined ? { debounceMs: opts.debounceMs } : {}),
  });
  const listener = await serveConfigStream(opts.transport ?? devTcpTransport(opts.listen ?? DEFAULT_STREAM_LISTEN), distributor, opts.log);
  opts.log.warn({ address: listener.address }, 'configuration stream in DEV MODE: plaintext, proxies are not authenticated (loopback only)');
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
