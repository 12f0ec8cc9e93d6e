/**
 * Connections to destinations. HTTP/1.1 requests share keep-alive pools (one
 * undici `Pool` per destination: endpoint address:port plus the identities
 * secure naming allows), so steady traffic does no TLS handshake at all.
 * Tunnels (CONNECT) get one connection each, with the ALPN the tunnel speaks.
 *
 * Why undici's `Pool` and not `http.Agent`: `Pool.close()` lets running and
 * queued requests finish and then closes every connection — exactly what an
 * identity change needs (new connections present the new SVID, pooled ones
 * drain) — and in bench/proxy-outbound it costs less CPU per request.
 */
import net from 'node:net';
import { Pool, type buildConnector } from 'undici';
import { createSocketPool, type Connect, type SocketPool } from '../http1/index.js';
import type { IdentitySource } from '../model.js';
import type { TlsContextManager } from '../tls/context-manager.js';
import { TlsError } from '../tls/errors.js';
import { OUTBOUND_ERROR_CODES, OutboundError } from './errors.js';
import { secureNamingCheck } from './secure-naming.js';

/** Istio's default `connectTimeout` for clusters. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** Idle pooled connections stay open this long (the inbound side keeps them 5 min; we close first, so no request races its close). */
export const POOL_KEEP_ALIVE_MS = 60_000;
/** Connections per destination pool; beyond that, requests queue. */
export const POOL_CONNECTIONS = 64;
/** Distinct destinations pooled at once; the least recently created pool is closed beyond that (passthrough hosts are unbounded). */
export const MAX_POOLS = 1024;

/** Where a connection goes and how: mTLS with secure naming, or plaintext (no sidecar, passthrough). */
export interface UpstreamTarget {
  host: string;
  port: number;
  /** null: plaintext. */
  mtls: { allowedIds: readonly string[] } | null;
}

export interface UpstreamStats {
  /** TLS handshakes completed to destinations since start. */
  handshakes: number;
  /** Destination pools currently open. */
  pools: number;
}

export interface UpstreamPool {
  /** The keep-alive HTTP/1.1 pool for `target` (requests Node's server parsed). */
  http1(target: UpstreamTarget): Pool;
  /** Idle raw connections for the fast path, keyed by `fastKey`. */
  readonly sockets: SocketPool;
  /** The fast-path pool key of `target`; it changes when our identity does, so old connections are never reused. */
  fastKey(target: UpstreamTarget): string;
  /** Opens a new raw connection to `target` (mTLS with ALPN http/1.1 and secure naming, or TCP). */
  fastConnect(target: UpstreamTarget): Connect;
  /** A fresh connection for one tunnel; `alpn` is offered on the mTLS hop (`['h2']` for gRPC). Resolves once secure naming passed. */
  tunnel(target: UpstreamTarget, alpn: readonly string[]): Promise<net.Socket>;
  stats(): UpstreamStats;
  close(): Promise<void>;
}

function keyOf(t: UpstreamTarget): string {
  return t.mtls ? `mtls|${t.host}|${t.port}|${t.mtls.allowedIds.join(',')}` : `plain|${t.host}|${t.port}`;
}

/**
 * @example
 * const upstream = createUpstreamPool({ tls: createTlsContextManager(identity), identity });
 * await upstream.http1({ host: '127.10.0.2', port: 3000, mtls: { allowedIds: ['spiffe://cluster.local/ns/istioinaction/sa/catalog'] } })
 *   .request({ path: '/items', method: 'GET', headers: { host: 'catalog' } });
 */
export function createUpstreamPool(opts: { tls: TlsContextManager; identity: IdentitySource; connectTimeoutMs?: number; sourceAddress?: string }): UpstreamPool {
  const timeoutMs = opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  // Connect from the workload's own address, so the destination sees `source.ip` as this workload's.
  const from = opts.sourceAddress ? { localAddress: opts.sourceAddress } : {};
  const pools = new Map<string, Pool>();
  let handshakes = 0;
  // Idle fast-path connections; `generation` moves on each identity change so no old-SVID connection is reused.
  const sockets = createSocketPool({ maxIdlePerKey: POOL_CONNECTIONS, idleTimeoutMs: POOL_KEEP_ALIVE_MS });
  let generation = 0;

  /** Connect (TLS or TCP); `done` gets the socket after the handshake and secure naming, or the failure. */
  function open(t: UpstreamTarget, alpn: readonly string[] | undefined, done: (err: Error | null, s: net.Socket | null) => void): void {
    const socket = t.mtls
      ? opts.tls.dial({ host: t.host, port: t.port, localAddress: opts.sourceAddress, ALPNProtocols: alpn }, secureNamingCheck(t.mtls.allowedIds), (err) => {
          if (!err) handshakes++;
          settle(err);
        })
      : net.connect({ host: t.host, port: t.port, ...from });
    // Small request/response writes: Nagle plus the peer's delayed ACK would stall the tail (undici's own
    // connector does this; a custom one must too). On a TLS socket it reaches the TCP socket underneath.
    socket.setNoDelay(true);
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      socket.setTimeout(0);
      socket.off('error', settle);
      if (err) {
        socket.destroy();
        done(err, null);
      } else done(null, socket);
    };
    socket.setTimeout(timeoutMs, () => settle(new OutboundError(OUTBOUND_ERROR_CODES.UPSTREAM_CONNECT, `connect to ${t.host}:${t.port} timed out`)));
    socket.once('error', settle);
    if (!t.mtls) socket.once('connect', () => settle(null));
  }

  function http1(t: UpstreamTarget): Pool {
    const key = keyOf(t);
    let pool = pools.get(key);
    if (pool) return pool;
    const connect: buildConnector.connector = (_o, cb) => open(t, t.mtls ? ['http/1.1'] : undefined, (err, s) => (err ? cb(err, null) : cb(null, s as net.Socket)));
    pool = new Pool(`http://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`, {
      connect, connections: POOL_CONNECTIONS, pipelining: 1, keepAliveTimeout: POOL_KEEP_ALIVE_MS, keepAliveMaxTimeout: POOL_KEEP_ALIVE_MS,
      // The app's request may stream for long; the app (not the proxy) decides when it has waited enough.
      headersTimeout: 0, bodyTimeout: 0,
    });
    if (pools.size >= MAX_POOLS) {
      const [oldestKey, oldest] = pools.entries().next().value as [string, Pool];
      pools.delete(oldestKey);
      void oldest.close();
    }
    pools.set(key, pool);
    return pool;
  }

  // New SVID (renewal, bundle rotation): pooled mTLS connections finish what they carry and close;
  // the next request opens a new pool whose handshakes present the new certificate.
  const stop = opts.identity.onChange(() => {
    generation++;
    sockets.close();
    for (const [key, pool] of pools) {
      if (!key.startsWith('mtls|')) continue;
      pools.delete(key);
      void pool.close();
    }
  });

  return {
    http1,
    sockets,
    fastKey: (t) => `${generation}|${keyOf(t)}`,
    fastConnect: (t) => (done) =>
      open(t, t.mtls ? ['http/1.1'] : undefined, (err, s) => {
        // Errors reach whichever exchange holds the socket; one between owners must not crash the process.
        s?.on('error', () => s.destroy());
        done(err, s);
      }),
    tunnel: (t, alpn) => new Promise((resolve, reject) => open(t, t.mtls ? alpn : undefined, (err, s) => (err ? reject(err) : resolve(s as net.Socket)))),
    stats: () => ({ handshakes, pools: pools.size }),
    async close() {
      stop();
      sockets.close();
      const all = [...pools.values()];
      pools.clear();
      await Promise.all(all.map((p) => p.destroy()));
    },
  };
}

/**
 * What the access log says about a failed upstream connection, in Envoy's words
 * (`%UPSTREAM_TRANSPORT_FAILURE_REASON%`).
 *
 * @example
 * transportFailureReason(err) // 'TLS_error: secure naming: server identity … is not allowed for this service'
 */
export function transportFailureReason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  if ((e instanceof OutboundError && e.code === OUTBOUND_ERROR_CODES.SECURE_NAMING) || e instanceof TlsError) return `TLS_error: ${e.message}`;
  const code = typeof e.code === 'string' ? e.code : '';
  if (/^(ERR_SSL|ERR_TLS|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(code) || code.includes('CERT')) return `TLS_error: ${code}`;
  if (code === 'ECONNREFUSED') return 'delayed_connect_error: Connection refused';
  return code ? `connection_failure: ${code}` : 'connection_failure';
}
