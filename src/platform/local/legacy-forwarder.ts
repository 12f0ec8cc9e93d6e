/**
 * What a workload without a sidecar (the seed's legacy `sleep`) has instead of
 * cluster DNS and kube-proxy: a plain HTTP proxy (absolute URIs and CONNECT)
 * that `meshguard exec` points the command's `http_proxy` at.
 *
 * - Service names resolve as the sidecar resolves them (`catalog`, `catalog.istioinaction`,
 *   `catalog.istioinaction.svc.cluster.local`; service port → target port) to the
 *   destination's workload address — its sidecar's inbound listener, when it has one.
 * - No identity, no TLS: the bytes go as the legacy app sent them, and leave from
 *   the workload's own address, so the destination sees `source.ip` = that address.
 * - When the destination refuses, closes or resets before answering, the client's
 *   connection is reset rather than answered: a plaintext request to a STRICT port
 *   then looks as it does in a cluster (`curl` prints `000` and exits 56), not like
 *   a status of our own. Unknown hosts pass through.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { DEFAULT_MESH_CONFIG, type Service } from '../../config/kinds.js';
import type { Endpoint, ProxySnapshot } from '../../proxy/model.js';
import { forwardableHeaders } from '../../proxy/http/hop-by-hop.js';
import { DEFAULT_HTTP_PORT, resolveDestination } from '../../proxy/outbound/resolve.js';

export interface LegacyForwarderOptions {
  /** The legacy workload's namespace: short names (`catalog`) resolve in it. */
  namespace: string;
  /** The workload's own address: the forwarder listens there and connects from there. */
  address: string;
  /** Listening port; 0 (default) for a free one. */
  port?: number;
  services: readonly Service[];
  /** The mesh's workloads; `address` is where each (its sidecar) listens. */
  endpoints: readonly Endpoint[];
  /** One line per request or tunnel. */
  onLog?: (line: string) => void;
}

export interface LegacyForwarder {
  /** `http://127.77.3.1:41234` — the value for `http_proxy`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Where a request for `authority` goes: an endpoint's address and target port, a passthrough host, or nowhere. */
export type Route = { host: string; port: number } | { none: string };

/**
 * Starts the forwarder of one legacy workload.
 *
 * @example
 * const fwd = await startLegacyForwarder({ namespace: 'default', address: '127.77.3.1', services, endpoints });
 * // http_proxy=fwd.url curl http://webapp.istioinaction/api/catalog
 */
export async function startLegacyForwarder(opts: LegacyForwarderOptions): Promise<LegacyForwarder> {
  const route = router(opts);
  const log = opts.onLog ?? (() => undefined);
  const server = createServer((req, res) => forwardRequest(req, res, route, opts.address, log));
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => openTunnel(req, client as Socket, head, route, opts.address, log));
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.address, port: opts.port ?? 0, exclusive: true }, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://${opts.address}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

/** Resolution as the sidecar does it, over a snapshot of the legacy workload's view of the mesh. */
function router(opts: LegacyForwarderOptions): (authority: string, defaultPort: number) => Route {
  // kube-proxy forwards anywhere: REGISTRY_ONLY is a sidecar setting, not one for workloads without one.
  const snapshot: ProxySnapshot = {
    version: 'local', mesh: { ...DEFAULT_MESH_CONFIG, outboundTrafficPolicy: 'ALLOW_ANY' },
    workload: { namespace: opts.namespace, name: '', labels: {}, address: opts.address, ports: [], sidecar: false, spiffeId: null, serviceAccount: '' },
    peerAuthentications: [], requestAuthentications: [], authorizationPolicies: [],
    services: [...opts.services], endpoints: [...opts.endpoints],
  };
  let turn = 0;
  return (authority, defaultPort) => {
    const r = resolveDestination(snapshot, authority, defaultPort);
    if (r.kind === 'blocked') return { none: r.reason };
    if (r.kind === 'passthrough') return { host: r.host, port: r.port };
    if (r.endpoints.length === 0) return { none: `Service ${r.fqdn} has no endpoints` };
    const picked = r.endpoints[turn++ % r.endpoints.length];
    if (!picked || !picked.endpoint.address) return { none: `${r.fqdn} has an endpoint without address` };
    return { host: picked.endpoint.address, port: picked.port };
  };
}

function forwardRequest(req: IncomingMessage, res: ServerResponse, route: ReturnType<typeof router>, from: string, log: (l: string) => void): void {
  let url: URL;
  try {
    url = new URL(req.url ?? '');
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('this is an HTTP proxy: send absolute URIs (http_proxy=…)\n');
    return;
  }
  const to = url.protocol === 'http:' ? route(url.host, DEFAULT_HTTP_PORT) : { none: `${url.protocol} is not proxied in plaintext; use CONNECT` };
  if ('none' in to) {
    log(`${req.method} ${url.host}${url.pathname} → reset (${to.none})`);
    req.socket.resetAndDestroy();
    return;
  }
  const upstream = request({
    host: to.host, port: to.port, localAddress: from, method: req.method, path: `${url.pathname}${url.search}`,
    headers: { ...forwardableHeaders(req.headers, false), host: req.headers.host ?? url.host }, agent: false, setHost: false,
  });
  upstream.on('response', (answer) => {
    log(`${req.method} ${url.host}${url.pathname} → ${to.host}:${to.port} ${answer.statusCode}`);
    res.writeHead(answer.statusCode ?? 502, forwardableHeaders(answer.headers, false));
    answer.pipe(res);
    answer.on('error', () => req.socket.resetAndDestroy());
  });
  upstream.on('error', (err) => {
    log(`${req.method} ${url.host}${url.pathname} → ${to.host}:${to.port} reset (${(err as NodeJS.ErrnoException).code ?? err.message})`);
    // The destination went away: the client learns it the same way, by a reset, not by a status of ours.
    req.socket.resetAndDestroy();
  });
  req.pipe(upstream);
}

function openTunnel(req: IncomingMessage, client: Socket, head: Buffer, route: ReturnType<typeof router>, from: string, log: (l: string) => void): void {
  const to = route(req.url ?? '', 443);
  if ('none' in to) {
    log(`CONNECT ${req.url} → reset (${to.none})`);
    client.resetAndDestroy();
    return;
  }
  const upstream = connect({ host: to.host, port: to.port, localAddress: from });
  upstream.once('connect', () => {
    log(`CONNECT ${req.url} → ${to.host}:${to.port}`);
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', () => { if (!client.destroyed) client.resetAndDestroy(); });
  upstream.on('end', () => client.end());
  client.on('error', () => upstream.destroy());
}
