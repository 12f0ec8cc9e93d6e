/** What the outbound request and tunnel handlers share: the current snapshot, the pools, the endpoint picker, logs. */
import type { AccessLogger } from '../access-log/access-logger.js';
import type { ProxySnapshot } from '../model.js';
import type { RoundRobin } from './round-robin.js';
import type { UpstreamPool } from './upstream-pool.js';

/** Operational log (pino or anything with `warn`/`debug`). */
export interface OutboundLog {
  warn(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

export interface OutboundDeps {
  /** The snapshot in force when a request arrives (a swap mid-request changes nothing for it). */
  snapshot(): ProxySnapshot;
  upstream: UpstreamPool;
  rr: RoundRobin;
  log: OutboundLog;
  accessLog: AccessLogger | undefined;
}
