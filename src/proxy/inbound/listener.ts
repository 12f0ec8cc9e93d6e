/**
 * One inbound port: a plain `net.Server` that looks at the first byte of each
 * connection to pick the filter chain, as Envoy's TLS inspector does:
 *
 * - `0x16` (a TLS ClientHello) → the mTLS server (STRICT, PERMISSIVE);
 * - anything else → plaintext (PERMISSIVE, DISABLE), or on STRICT a reset and
 *   `NR filter_chain_not_found` in the access log;
 * - DISABLE never does TLS: TLS bytes reach the HTTP parser and get a 400.
 *
 * The mTLS server verifies the client certificate against the bundle, then the
 * SPIFFE ID (exactly one URI SAN in a trusted domain); a bad handshake or bad
 * bytes close that connection only.
 *
 * HTTP/1.1 on an `http` port (TLS without ALPN `h2`, or plaintext that is not
 * h2c) takes the fast path (`fast-connection.ts`); a request it does not take
 * hands the connection to Node's HTTP server, which serves the rest of it.
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import type { TlsContextManager } from '../tls/context-manager.js';
import type { ConnectionGate } from './connection-gate.js';
import { plaintextInfo, tagConnection, tlsInfo } from './connection-info.js';
import { serveFastHttp1 } from '../http1/index.js';
import type { FastRequest, FastResponse } from '../http1/index.js';
import { handleRequest } from './http-pipeline.js';
import type { Handler, InboundPort } from './layer.js';
import type { ProxyState } from './proxy-state.js';
import { proxyTcp } from './tcp-proxy.js';
import { inboundCluster, type Telemetry } from './telemetry.js';

/** A client must send its first bytes within this time (Envoy's listener filter timeout is 15 s). */
export const FIRST_BYTE_TIMEOUT_MS = 15_000;
/** Idle keep-alive connections stay this long: pooled callers then reuse them, and handshakes stay rare. */
export const KEEP_ALIVE_TIMEOUT_MS = 5 * 60_000;
const TLS_HANDSHAKE = 0x16;
const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\ncontent-length: 11\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nBad Request';

export interface ProxyLog {
  warn(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

export interface ListenerDeps {
  port: InboundPort;
  state: () => ProxyState;
  tls: TlsContextManager;
  telemetry: Telemetry;
  handler: Handler;
  gate: ConnectionGate;
  log: ProxyLog;
}

export interface InboundListener {
  listen(): Promise<number>;
  close(): Promise<void>;
}

/** The access-log line of a connection closed before any request (no filter chain, codec error). */
function connectionLine(deps: ListenerDeps, socket: net.Socket, flags: string[], details: string, responseCode = 0) {
  const info = plaintextInfo(socket);
  deps.telemetry.log({
    startTime: new Date(), responseCode, responseFlags: flags, responseCodeDetails: details, bytesReceived: 0, bytesSent: 0, durationMs: 0,
    downstreamLocalAddress: info.downstreamLocal, downstreamRemoteAddress: info.downstreamRemote, connectionSecurityPolicy: 'none',
    ...(responseCode ? { upstreamCluster: inboundCluster(deps.port) } : {}),
  });
}

/**
 * @example
 * const l = createInboundListener({ port, state: () => current, tls, telemetry, handler, gate, log });
 * const boundPort = await l.listen();
 */
export function createInboundListener(deps: ListenerDeps): InboundListener {
  const { port } = deps;
  const sockets = new Set<net.Socket>();
  const onRequest = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) =>
    handleRequest(deps.handler, deps.state(), port, req, res);
  const isTcp = port.protocol === 'tcp';

  const secure: tls.Server = isTcp
    ? tls.createServer({ ...deps.tls.serverOptions(), ALPNProtocols: undefined }) // raw TCP: no application protocol to agree on
    : http2.createSecureServer({ ...deps.tls.serverOptions(), allowHTTP1: true }, onRequest);
  const detach = deps.tls.attach(secure);
  const plainHttp1 = http.createServer(onRequest);
  const plainH2c = http2.createServer(onRequest);
  for (const s of [secure, plainHttp1] as (http.Server | tls.Server)[]) {
    (s as http.Server).keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    s.on('clientError', (_err: Error, socket: net.Socket) => {
      // A malformed request closes its own connection and nothing else.
      connectionLine(deps, socket, ['DPE'], 'http1.codec_error', 400);
      if (socket.writable) socket.end(BAD_REQUEST);
      socket.destroy();
    });
  }
  secure.on('tlsClientError', (err: Error & { code?: string }, socket: tls.TLSSocket) => {
    deps.log.debug({ port: port.port, code: err.code, remote: socket.remoteAddress }, 'TLS handshake failed');
  });
  const fastHttp1 = (socket: net.Socket, fallback: () => void) =>
    serveFastHttp1(socket, {
      form: 'origin',
      // gRPC-over-HTTP/1.1 local replies need trailers (grpc-status), which only Node's response writes.
      accept: (head) => !head.headers['content-type']?.startsWith('application/grpc'),
      serve: (req: FastRequest, res: FastResponse) =>
        handleRequest(deps.handler, deps.state(), port, req, res),
      fallback: () => {
        fallback();
        // The bytes the fast path read are back in the socket's buffer: flowing again hands them to Node's parser.
        socket.resume();
      },
      keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
    });
  // Node's own handler for a finished handshake (HTTP/2 session or HTTP/1 over TLS); the fast path runs in its place.
  const nodeSecureConnection = isTcp ? [] : secure.listeners('secureConnection');
  secure.removeAllListeners('secureConnection');
  secure.on('secureConnection', (socket: tls.TLSSocket) => {
    const { info, refusal } = tlsInfo(socket, deps.tls.trustDomains());
    if (refusal) {
      deps.log.warn({ port: port.port, reason: refusal, remote: socket.remoteAddress }, 'peer certificate carries no acceptable SPIFFE ID; connection closed');
      socket.destroy();
      return;
    }
    tagConnection(socket, info);
    if (isTcp) return void proxyTcp(socket, info, port, deps.state(), deps.telemetry);
    const toNode = () => {
      for (const l of nodeSecureConnection) (l as (s: tls.TLSSocket) => void).call(secure, socket);
    };
    if (port.protocol === 'http' && socket.alpnProtocol !== 'h2') return fastHttp1(socket, toNode);
    toNode();
  });

  const plaintext = (socket: net.Socket, first: Buffer | undefined) => {
    tagConnection(socket, plaintextInfo(socket));
    if (isTcp) return proxyTcp(socket, plaintextInfo(socket), port, deps.state(), deps.telemetry);
    const h2c = first !== undefined && first.length >= 3 && first.toString('latin1', 0, 3) === 'PRI';
    if (!h2c && port.protocol === 'http') return fastHttp1(socket, () => plainHttp1.emit('connection', socket));
    (h2c ? plainH2c : plainHttp1).emit('connection', socket);
    // The sniffed bytes sit in the socket's buffer: flowing again hands them to the parser.
    if (!h2c) socket.resume();
  };

  // noDelay: request/response traffic of small writes; Nagle holding the last segment until the peer's
  // delayed ACK adds tens of milliseconds to the tail. The TLS socket writes through this one.
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => {
    if (!deps.gate.tryAcquire()) {
      deps.log.warn({ port: port.port, limit: deps.gate.limit, remote: socket.remoteAddress }, 'connection limit reached; connection refused');
      connectionLine(deps, socket, ['OM'], 'overload_manager_connection_limit');
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      deps.gate.release();
    });
    socket.on('error', () => socket.destroy());
    const mode = deps.state().modeOf(port.targetPort);
    if (mode === 'DISABLE') return plaintext(socket, undefined);
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      socket.setTimeout(0);
      socket.unshift(chunk);
      if (chunk[0] === TLS_HANDSHAKE) return void secure.emit('connection', socket);
      if (mode === 'PERMISSIVE') return plaintext(socket, chunk);
      // STRICT: no filter chain takes plaintext; reset so the client sees the connection refused at once.
      connectionLine(deps, socket, ['NR'], 'filter_chain_not_found');
      socket.resetAndDestroy();
    });
    socket.resume();
  });

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port.port, port.listenHost, () => {
          server.off('error', reject);
          resolve((server.address() as net.AddressInfo).port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        detach();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
