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

export interface Telemetry {
  log(entry: AccessLogEntry): void;
  request(entry: AccessLogEntry, conn: ConnectionInfo, port: InboundPort, grpcStatus: string | undefined): void;
  tcpOpened(conn: ConnectionInfo, port: InboundPort): void;
  tcpClosed(entry: AccessLogEntry, conn: ConnectionInfo, port: InboundPort): void;
}

/** `inbound|8080||`: Istio's inbound cluster name for a workload port. */
export function inboundCluster(port: InboundPort): string {
  return `inbound|${port.targetPort}||`;
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
  return {
    log: (entry) => opts.accessLog?.log(entry),
    request(entry, conn, port, grpcStatus) {
      opts.accessLog?.log(entry);
      const labels = base(conn, port);
      labels.response_code = String(entry.responseCode);
      labels.response_flags = entry.responseFlags.length ? entry.responseFlags.join(',') : '-';
      if (grpcStatus !== undefined) {
        labels.grpc_response_status = grpcStatus;
        labels.request_protocol = 'grpc';
      }
      opts.metrics.request(fillLabels(labels, REQUEST_LABELS), entry.durationMs);
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
