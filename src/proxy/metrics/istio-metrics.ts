/**
 * Istio's standard metrics, as the server sidecar (`reporter="destination"`)
 * reports them, in a prom-client registry of their own (one per proxy, so
 * tests and several proxies in one process never share counters).
 *
 * Labels follow Istio's "Istio Standard Metrics" page. What a sidecar learns
 * from the peer's metadata exchange (workload name, app, version) we do not
 * have: those are `unknown`, as Istio prints them for a peer without metadata.
 */
import { Registry, type Metric } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from './label-series.js';

export const REQUEST_LABELS = [
  'reporter', 'source_workload', 'source_workload_namespace', 'source_principal', 'source_app', 'source_version', 'source_cluster',
  'destination_workload', 'destination_workload_namespace', 'destination_principal', 'destination_app', 'destination_version',
  'destination_service', 'destination_service_name', 'destination_service_namespace', 'destination_cluster',
  'request_protocol', 'response_code', 'grpc_response_status', 'response_flags', 'connection_security_policy',
] as const;

/** TCP metrics carry the same labels except the HTTP ones. */
export const TCP_LABELS = REQUEST_LABELS.filter((l) => l !== 'response_code' && l !== 'grpc_response_status');

type RequestLabel = (typeof REQUEST_LABELS)[number];
export type MetricLabels = Partial<Record<RequestLabel, string>>;

/** Istio's buckets for `istio_request_duration_milliseconds`. */
const DURATION_BUCKETS_MS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

export interface IstioMetrics {
  readonly registry: Registry;
  /** One finished HTTP request. `labels` must hold every request label (see `fillLabels`). */
  request(labels: Record<string, string>, durationMs: number): void;
  tcpOpened(labels: Record<string, string>): void;
  tcpClosed(labels: Record<string, string>, bytesReceived: number, bytesSent: number): void;
  /** Prometheus text exposition. */
  render(): Promise<string>;
}

/** Every label present, `unknown` where we have nothing (Istio's value for a missing attribute). */
export function fillLabels(base: MetricLabels, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) out[n] = (base as Record<string, string | undefined>)[n] || 'unknown';
  return out;
}

/**
 * @example
 * const metrics = createIstioMetrics();
 * metrics.request(fillLabels({ reporter: 'destination', response_code: '200' }, REQUEST_LABELS), 3);
 * await metrics.render(); // 'istio_requests_total{reporter="destination",…} 1'
 */
export function createIstioMetrics(): IstioMetrics {
  const registry = new Registry();
  // Our own series (see label-series.ts: prom-client's hash 21 labels per call); prom-client renders them.
  const requests = new SeriesCounter('istio_requests_total', 'Requests handled by the proxy');
  const duration = new SeriesHistogram('istio_request_duration_milliseconds', 'Request duration', DURATION_BUCKETS_MS);
  const opened = new SeriesCounter('istio_tcp_connections_opened_total', 'TCP connections opened');
  const closed = new SeriesCounter('istio_tcp_connections_closed_total', 'TCP connections closed');
  const received = new SeriesCounter('istio_tcp_received_bytes_total', 'Bytes received on TCP connections');
  const sent = new SeriesCounter('istio_tcp_sent_bytes_total', 'Bytes sent on TCP connections');
  for (const m of [requests, duration, opened, closed, received, sent]) registry.registerMetric(m as unknown as Metric);
  return {
    registry,
    request(labels, durationMs) {
      requests.inc(labels);
      duration.observe(labels, durationMs);
    },
    tcpOpened: (labels) => opened.inc(labels),
    tcpClosed(labels, bytesReceived, bytesSent) {
      closed.inc(labels);
      if (bytesReceived > 0) received.inc(labels, bytesReceived);
      if (bytesSent > 0) sent.inc(labels, bytesSent);
    },
    render: () => registry.metrics(),
  };
}
