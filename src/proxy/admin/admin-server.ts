/**
 * The proxy's admin port: Prometheus metrics at `/stats/prometheus` (Envoy's
 * path, which Istio scrapes on 15090) and readiness at `/healthz/ready`
 * (Istio's 15021). Bind it to loopback or the pod IP, never a public address:
 * it is unauthenticated, as Envoy's is.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IstioMetrics } from '../metrics/istio-metrics.js';

export interface AdminServer {
  listen(): Promise<number>;
  close(): Promise<void>;
}

/**
 * @example
 * const admin = createAdminServer({ host: '127.0.0.1', port: 15090, metrics, ready: () => true });
 * await admin.listen();
 */
export function createAdminServer(opts: {
  host: string;
  port: number;
  metrics: IstioMetrics;
  ready: () => boolean;
  /** More GET endpoints by exact path (`/secrets` for `meshguard proxy-config secret`, …). */
  routes?: Record<string, http.RequestListener>;
}): AdminServer {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end();
    if (path === '/stats/prometheus') {
      opts.metrics.render().then(
        (text) => res.writeHead(200, { 'content-type': opts.metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    const route = path === undefined ? undefined : opts.routes?.[path];
    if (route) return void route(req, res);
    if (path === '/healthz/ready') {
      const ok = opts.ready();
      return void res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'LIVE\n' : 'NOT READY\n');
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  return {
    listen: () => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => resolve((server.address() as AddressInfo).port));
    }),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
