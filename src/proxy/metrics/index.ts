/** Istio's standard metrics for the proxy. */
export { createIstioMetrics, fillLabels, REQUEST_LABELS, TCP_LABELS, type IstioMetrics, type MetricLabels } from './istio-metrics.js';
