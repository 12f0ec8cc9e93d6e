/**
 * The inbound side of a sidecar: one listener per port in front of one app,
 * the security pipeline per request, access log, metrics and an admin port.
 * Snapshots are compiled off to the side and swapped whole; a snapshot that
 * does not compile is refused and the proxy keeps serving with the last good one.
 */
import pino from 'pino';
import type { KeyResolver } from '../../policy/jwt/index.js';
import { remoteKeyResolver } from '../jwks/remote-resolver.js';
import { createAdminServer } from '../admin/admin-server.js';
import type { AccessLogger } from '../access-log/access-logger.js';
import { createIstioMetrics, type IstioMetrics } from '../metrics/istio-metrics.js';
import type { IdentitySource, ProxySnapshot } from '../model.js';
import { createTlsContextManager, type TlsContextManager } from '../tls/context-manager.js';
import { createAppConnections } from './app-connections.js';
import { createConnectionGate, DEFAULT_MAX_CONNECTIONS } from './connection-gate.js';
import { INBOUND_ERROR_CODES, InboundError } from './errors.js';
import { buildHttpPipeline } from './http-pipeline.js';
import type { InboundPort } from './layer.js';
import { createInboundListener, type InboundListener, type ProxyLog } from './listener.js';
import { compileProxyState, type ProxyState } from './proxy-state.js';
import type { ForwardClientCert } from './strip-identity-headers.js';
import { createTelemetry } from './telemetry.js';
import { createExtAuthzClient } from '../ext-authz/index.js';
import { createRoundRobin } from '../outbound/round-robin.js';
import { createUpstreamPool } from '../outbound/upstream-pool.js';

export interface InboundProxyOptions {
  snapshot: ProxySnapshot;
  identity: IdentitySource;
  ports: InboundPort[];
  /** Access-log sink; none = no access log (Istio's default when `accessLogFile` is empty). */
  accessLog?: AccessLogger;
  /** Operational log (pino or anything with `warn`/`debug`). */
  log?: ProxyLog;
  /** Admin server (`/stats/prometheus`, `/healthz/ready`); omitted = none. */
  admin?: { host: string; port: number };
  /** Per-proxy connection limit across all ports. */
  maxConnections?: number;
  /** Default SANITIZE_SET: an XFCC from outside is always replaced (the product's rule). */
  forwardClientCert?: ForwardClientCert;
  keys?: KeyResolver;
  tokenCache?: { maxSize?: number; maxTtlMs?: number };
  /** Local address for ext_authz check connections; default: the first port's listen address. */
  extAuthzSourceAddress?: string;
}

export type SnapshotUpdate = { ok: true; version: string } | { ok: false; version: string; error: InboundError };

export interface InboundProxy {
  /** Bind every port (and the admin port); resolves to the bound ports, in `ports` order, then admin. */
  listen(): Promise<{ ports: number[]; admin: number | undefined }>;
  close(): Promise<void>;
  /** Compile and swap in a new snapshot (ACK), or keep the old one and say why (NACK). */
  updateSnapshot(snapshot: ProxySnapshot): SnapshotUpdate;
  readonly version: string;
  readonly metrics: IstioMetrics;
  readonly tls: TlsContextManager;
}

function checkPorts(ports: InboundPort[]): void {
  const seen = new Set<number>();
  for (const p of ports) {
    if (!Number.isInteger(p.port) || p.port < 0 || p.port > 65535) throw new InboundError(INBOUND_ERROR_CODES.PORT_INVALID, `port ${String(p.port)} is not a TCP port`);
    if (p.port !== 0 && seen.has(p.port)) throw new InboundError(INBOUND_ERROR_CODES.PORT_INVALID, `port ${p.port} is configured twice`);
    seen.add(p.port);
  }
}

/**
 * @example
 * const proxy = createInboundProxy({ snapshot, identity, ports: [{ port: 15006, listenHost: '127.0.0.1', targetHost: '127.0.0.1', targetPort: 8080, protocol: 'http' }] });
 * await proxy.listen();
 * proxy.updateSnapshot(next); // { ok: true, version: '2' }
 */
export function createInboundProxy(opts: InboundProxyOptions): InboundProxy {
  checkPorts(opts.ports);
  let state: ProxyState = compileProxyState(opts.snapshot, opts.tokenCache);
  const log: ProxyLog = opts.log ?? pino({ level: 'warn' }, pino.destination(2));
  const tlsContexts = createTlsContextManager(opts.identity, { trustDomainAliases: opts.snapshot.mesh.trustDomainAliases });
  const metrics = createIstioMetrics();
  const telemetry = createTelemetry({
    accessLog: opts.accessLog,
    metrics,
    localSpiffeId: () => tlsContexts.identity().spiffeId,
    workload: () => {
      const w = state.snapshot.workload;
      return { name: w.name, namespace: w.namespace, app: w.labels.app, version: w.labels.version };
    },
  });
  const app = createAppConnections();
  // ext_authz checks leave as this workload's own calls do: from its address, mTLS to a meshed provider.
  const source = opts.extAuthzSourceAddress ?? opts.ports.find((p) => p.listenHost !== '0.0.0.0' && p.listenHost !== '::')?.listenHost;
  const checks = createUpstreamPool({ tls: tlsContexts, identity: opts.identity, ...(source ? { sourceAddress: source } : {}) });
  const extAuthz = createExtAuthzClient({ upstream: checks, rr: createRoundRobin() });
  const handler = buildHttpPipeline({
    tls: tlsContexts, keys: opts.keys ?? remoteKeyResolver(), app, telemetry, forwardClientCert: opts.forwardClientCert ?? 'SANITIZE_SET', extAuthz, log,
  });
  const gate = createConnectionGate(opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  const listeners: InboundListener[] = opts.ports.map((port) =>
    createInboundListener({ port, state: () => state, tls: tlsContexts, telemetry, handler, gate, log }));
  const admin = opts.admin ? createAdminServer({ ...opts.admin, metrics, ready: () => true }) : undefined;
  return {
    async listen() {
      const ports: number[] = [];
      for (const l of listeners) ports.push(await l.listen());
      return { ports, admin: admin ? await admin.listen() : undefined };
    },
    async close() {
      await Promise.all([...listeners.map((l) => l.close()), admin?.close()]);
      app.close();
      await checks.close();
      tlsContexts.close();
    },
    updateSnapshot(snapshot) {
      try {
        state = compileProxyState(snapshot, opts.tokenCache);
        return { ok: true, version: snapshot.version };
      } catch (err) {
        const error = err instanceof InboundError ? err : new InboundError(INBOUND_ERROR_CODES.SNAPSHOT_REJECTED, 'snapshot refused', { cause: err });
        log.warn({ version: snapshot?.version, code: error.code }, error.message);
        return { ok: false, version: String(snapshot?.version), error };
      }
    },
    get version() {
      return state.version;
    },
    metrics,
    tls: tlsContexts,
  };
}
