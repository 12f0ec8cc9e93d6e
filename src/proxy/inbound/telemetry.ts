/**
 * Access-log lines and Istio metrics for what the inbound side did: one call
 * per finished request, per TCP connection, per refused connection. Labels
 * are Istio's, as the destination (server) sidecar reports them.
 */
import type { AccessLogEntry } from '../access-log/entry.js';
import type { AccessLogger } from '../access-log/access-logger.js';
import { fillLabels, REQUEST_LABELS, TCP_LABELS, type IstioMetrics, type MetricLabels } from '../metrics/istio-metrics.js';
import type { ConnectionInfo } from './connection-info.js';
import type { InboundPort } from './layer.js';

/** What the request metrics need of a finished request; the access-log entry is built only when there is a log. */
export interface RequestOutcome {
  responseCode: number;
  responseFlags: readonly string[];
  durationMs: number;
  grpcStatus: string | undefined;
}

export interface Telemetry {
  log(entry: AccessLogEntry): void;
  /** `entry` is called only when an access log is configured (building it costs more than the metrics). */
  request(outcome: RequestOutcome, entry: () => AccessLogEntry, conn: ConnectionInfo, port: InboundPort): void;
  tcpOpened(conn: ConnectionInfo, port: InboundPort): void;
  tcpClosed(entry: AccessLogEntry, conn: ConnectionInfo, port: InboundPort): void;
}

/** `inbound|8080||`: Istio's inbound cluster name for a workload port. */
export function inboundCluster(port: InboundPort): string {
  return `inbound|${port.targetPort}||`;
}

/** Distinct label sets remembered per connection (response code × flags × gRPC status). */
const MAX_LABEL_SETS_PER_CONNECTION = 16;

type WorkloadLabels = { name: string; namespace: string; app?: string; version?: string };

function sameWorkload(a: object, b: WorkloadLabels): boolean {
  const x = a as WorkloadLabels;
  return x === b || (x.name === b.name && x.namespace === b.namespace && x.app === b.app && x.version === b.version);
}

export function createTelemetry(opts: {
  accessLog: AccessLogger | undefined;
  metrics: IstioMetrics;
  /** Our SPIFFE ID now (it changes only on a trust-domain migration, but read it each time). */
  localSpiffeId: () => string;
  workload: () => { name: string; namespace: string; app?: string; version?: string };
}): Telemetry {
  const base = (conn: ConnectionInfo, port: InboundPort): MetricLabels => {
    const w = opts.workload();
    return {
      reporter: 'destination',
      source_principal: conn.peer?.spiffeId,
      source_workload_namespace: conn.peer?.namespace,
      destination_workload: w.name,
      destination_workload_namespace: w.namespace,
      destination_principal: opts.localSpiffeId(),
      destination_app: w.app,
      destination_version: w.version,
      destination_service_namespace: w.namespace,
      connection_security_policy: conn.security,
      request_protocol: port.protocol === 'tcp' ? 'tcp' : port.protocol === 'grpc' ? 'grpc' : 'http',
    };
  };
  // Requests on one connection mostly share every label: keep the filled label sets per connection,
  // keyed by what varies (code, flags, gRPC status), valid while our workload and identity stay the same.
  // The usual outcome (no flags, no gRPC status) is keyed by the code alone: no key string built and hashed per request.
  const memo = new WeakMap<ConnectionInfo, { workload: object; spiffeId: string; port: InboundPort; sets: Map<string | number, Record<string, string>> }>();
  const requestLabels = (conn: ConnectionInfo, port: InboundPort, code: number, flags: string, grpcStatus: string | undefined) => {
    const workload = opts.workload();
    const spiffeId = opts.localSpiffeId();
    let m = memo.get(conn);
    if (!m || m.spiffeId !== spiffeId || m.port !== port || !sameWorkload(m.workload, workload)) {
      m = { workload, spiffeId, port, sets: new Map() };
      memo.set(conn, m);
    }
    const key = flags === '-' && grpcStatus === undefined ? code : `${code}|${flags}|${grpcStatus ?? ''}`;
    let labels = m.sets.get(key);
    if (!labels) {
      const l = base(conn, port);
      l.response_code = String(code);
      l.response_flags = flags;
      if (grpcStatus !== undefined) {
        l.grpc_response_status = grpcStatus;
        l.request_protocol = 'grpc';
      }
      labels = fillLabels(l, REQUEST_LABELS);
      // Bounded: a connection sees a handful of distinct outcomes; a flood of odd ones just stops being memoized.
      if (m.sets.size < MAX_LABEL_SETS_PER_CONNECTION) m.sets.set(key, labels);
    }
    return labels;
  };
  return {
    log: (entry) => opts.accessLog?.log(entry),
    request(outcome, entry, conn, port) {
      opts.accessLog?.log(entry());
      const flags = outcome.responseFlags.length ? outcome.responseFlags.join(',') : '-';
      opts.metrics.request(requestLabels(conn, port, outcome.responseCode, flags, outcome.grpcStatus), outcome.durationMs);
    },
    tcpOpened(conn, port) {
      opts.metrics.tcpOpened(fillLabels({ ...base(conn, port), response_flags: '-' }, TCP_LABELS));
    },
    tcpClosed(entry, conn, port) {
      opts.accessLog?.log(entry);
      const flags = entry.responseFlags.length ? entry.responseFlags.join(',') : '-';
      opts.metrics.tcpClosed(fillLabels({ ...base(conn, port), response_flags: flags }, TCP_LABELS), entry.bytesReceived, entry.bytesSent);
    },
  };
}
