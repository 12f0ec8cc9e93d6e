/**
 * The listener the app talks to as to an HTTP proxy (loopback only):
 * absolute-URI requests are forwarded over pooled connections, `CONNECT`
 * opens a tunnel; everything is resolved against the current snapshot.
 * Plain HTTP/1.1 requests take the fast path (`forward-fast.ts`); the first
 * request it does not take (CONNECT, anything odd) hands the connection to
 * Node's HTTP server, which serves the rest of it.
 */
import http from 'node:http';
import net from 'node:net';
import pino from 'pino';
import type { AccessLogger } from '../access-log/access-logger.js';
import type { IdentitySource, ProxySnapshot } from '../model.js';
import { createTlsContextManager, type TlsContextManager } from '../tls/context-manager.js';
import { serveFastHttp1 } from '../http1/index.js';
import { openTunnel } from './connect-tunnel.js';
import { OUTBOUND_ERROR_CODES, OutboundError } from './errors.js';
import { forwardFast } from './forward-fast.js';
import { forwardRequest } from './forward-request.js';
import type { OutboundDeps, OutboundLog } from './outbound-deps.js';
import { createRoundRobin } from './round-robin.js';
import { createUpstreamPool, type UpstreamStats } from './upstream-pool.js';

/** Istio's outbound capture port; a default for callers, tests use 0. */
export const DEFAULT_OUTBOUND_PORT = 15001;
/** Keep the app's idle connections to us open a while: apps pool too. */
const DOWNSTREAM_KEEP_ALIVE_MS = 60_000;

export interface OutboundProxyOptions {
  snapshot: ProxySnapshot;
  identity: IdentitySource;
  /** Must be a loopback address: the proxy carries the workload's identity to whoever reaches it. */
  listen: { host: string; port: number };
  log?: OutboundLog;
  accessLog?: AccessLogger;
  /** Share the inbound side's manager; one is created from `identity` otherwise. */
  tls?: TlsContextManager;
  connectTimeoutMs?: number;
  /** Local address for upstream connections (the workload's own), so peers see it as `source.ip`. */
  sourceAddress?: string;
}

export interface OutboundProxy {
  /** Bind the listener; resolves to the bound port. */
  listen(): Promise<number>;
  /** Stop accepting, close the app's connections and every upstream pool. */
  close(): Promise<void>;
  /** Use `snapshot` for requests that arrive from now on. */
  updateSnapshot(snapshot: ProxySnapshot): void;
  /** Upstream handshakes and pools (bench, admin). */
  stats(): UpstreamStats;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (net.isIPv4(host) && host.startsWith('127.'));
}

/**
 * @example
 * const out = createOutboundProxy({ snapshot, identity, listen: { host: '127.0.0.1', port: 15001 } });
 * await out.listen(); // then: http_proxy=http://127.0.0.1:15001 curl http://catalog.istioinaction/items
 */
export function createOutboundProxy(opts: OutboundProxyOptions): OutboundProxy {
  if (!isLoopback(opts.listen.host)) {
    throw new OutboundError(OUTBOUND_ERROR_CODES.LISTEN_NOT_LOOPBACK, `the outbound proxy listens on loopback only, not ${opts.listen.host}`);
  }
  let snapshot = opts.snapshot;
  const ownsTls = !opts.tls;
  const tlsCtx = opts.tls ?? createTlsContextManager(opts.identity, { trustDomainAliases: snapshot.mesh.trustDomainAliases });
  const upstream = createUpstreamPool({
    tls: tlsCtx, identity: opts.identity,
    ...(opts.connectTimeoutMs ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
    ...(opts.sourceAddress ? { sourceAddress: opts.sourceAddress } : {}),
  });
  const deps: OutboundDeps = {
    snapshot: () => snapshot, upstream, rr: createRoundRobin(), accessLog: opts.accessLog,
    log: opts.log ?? pino({ level: 'warn' }, pino.destination(2)),
  };
  const server = http.createServer({ keepAliveTimeout: DOWNSTREAM_KEEP_ALIVE_MS } as http.ServerOptions, (req, res) => forwardRequest(deps, req, res));
  server.keepAliveTimeout = DOWNSTREAM_KEEP_ALIVE_MS;
  server.on('connect', (req: http.IncomingMessage, socket, head: Buffer) => openTunnel(deps, req, socket, head));
  const accepted = new Set<net.Socket>();
  // noDelay: small request/response writes; Nagle would hold the last segment for the app's delayed ACK.
  const front = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => {
    accepted.add(socket);
    socket.once('close', () => accepted.delete(socket));
    socket.on('error', () => socket.destroy());
    serveFastHttp1(socket, {
      form: 'absolute',
      serve: (req, res) => forwardFast(deps, req, res),
      fallback: () => {
        server.emit('connection', socket);
        // The bytes the fast path read are back in the socket's buffer: flowing again hands them to Node's parser.
        socket.resume();
      },
      keepAliveTimeoutMs: DOWNSTREAM_KEEP_ALIVE_MS,
    });
  });
  return {
    listen: () =>
      new Promise((resolve, reject) => {
        front.once('error', reject);
        front.listen(opts.listen.port, opts.listen.host, () => {
          front.off('error', reject);
          resolve((front.address() as net.AddressInfo).port);
        });
      }),
    async close() {
      // `closeAllConnections` misses sockets handed to `connect` listeners: destroy every accepted socket.
      for (const s of accepted) s.destroy();
      await new Promise<void>((r) => front.close(() => r()));
      await upstream.close();
      if (ownsTls) tlsCtx.close();
    },
    updateSnapshot(next) {
      snapshot = next;
    },
    stats: () => upstream.stats(),
  };
}
