/**
 * `CONNECT host:port` from the app: answer 200 and carry the tunnel's bytes.
 * To a meshed destination the bytes ride one mTLS connection per tunnel, with
 * secure naming checked before the 200; gRPC (h2c inside the tunnel) gets ALPN
 * `h2` on that hop, so the destination sidecar speaks HTTP/2 and trailers pass
 * untouched. Plain TCP to destinations without a sidecar and to passthrough hosts.
 */
import type { IncomingMessage } from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { AccessLogEntry } from '../access-log/entry.js';
import { hostPort } from '../access-log/entry.js';
import { pickDestination } from './destination.js';
import type { OutboundDeps } from './outbound-deps.js';
import type { PortProtocol } from './resolve.js';
import { transportFailureReason } from './upstream-pool.js';

/** The HTTP/2 connection preface starts with these bytes (RFC 9113 §3.4). */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n');
/** A client in a tunnel to an HTTP port must speak within this time (Envoy's listener filter timeout). */
export const FIRST_BYTES_TIMEOUT_MS = 15_000;
const ESTABLISHED = 'HTTP/1.1 200 OK\r\n\r\n';

function statusLine(status: number, body: string): string {
  const reason = status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Unavailable' : 'Bad Request';
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

/** ALPN for the mTLS hop when the port's protocol says it; `undefined` means look at the first bytes. */
function declaredAlpn(protocol: PortProtocol | undefined): string[] | undefined {
  if (protocol === 'grpc' || protocol === 'http2') return ['h2'];
  if (protocol === 'tcp') return [];
  return undefined;
}

function sniffedAlpn(first: Buffer): string[] {
  return first.subarray(0, H2_PREFACE.length).equals(H2_PREFACE) ? ['h2'] : ['http/1.1'];
}

/** The first bytes the client sends in the tunnel (or `head`, when they came with the CONNECT). */
function firstBytes(socket: Duplex, head: Buffer): Promise<Buffer | null> {
  if (head.length > 0) return Promise.resolve(head);
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(null), FIRST_BYTES_TIMEOUT_MS);
    const done = (b: Buffer | null) => {
      clearTimeout(timer);
      socket.off('data', onData).off('close', onClose);
      socket.pause();
      resolve(b);
    };
    const onData = (b: Buffer) => done(b);
    const onClose = () => done(null);
    socket.on('data', onData).once('close', onClose);
  });
}

function splice(client: Duplex, upstream: net.Socket, head: Buffer, entry: AccessLogEntry): void {
  if (head.length > 0) upstream.write(head);
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end).on('close', end);
  upstream.on('error', end).on('close', end);
  client.pipe(upstream);
  upstream.pipe(client);
  upstream.once('close', () => {
    entry.bytesReceived = upstream.bytesWritten;
    entry.bytesSent = upstream.bytesRead;
  });
}

/**
 * Handle the listener's `connect` event.
 *
 * @example
 * server.on('connect', (req, socket, head) => openTunnel(deps, req, socket, head));
 */
export function openTunnel(deps: OutboundDeps, req: IncomingMessage, client: Duplex, head: Buffer): void {
  const startMs = performance.now();
  const authority = req.url ?? '';
  const sock = req.socket;
  const entry: AccessLogEntry = {
    startTime: new Date(), method: 'CONNECT', authority, protocol: `HTTP/${req.httpVersion}`, responseCode: 0, responseFlags: [],
    bytesReceived: 0, bytesSent: 0, durationMs: 0, connectionSecurityPolicy: 'none',
    downstreamRemoteAddress: hostPort(sock.remoteAddress, sock.remotePort), downstreamLocalAddress: hostPort(sock.localAddress, sock.localPort),
  };
  client.on('error', () => client.destroy());
  client.once('close', () => {
    entry.durationMs = Math.round(performance.now() - startMs);
    deps.accessLog?.log(entry);
  });
  const refuse = (status: number, body: string, details: string, flags: string[]) => {
    entry.responseCode = status;
    entry.responseCodeDetails = details;
    entry.responseFlags.push(...flags);
    client.end(statusLine(status, body));
  };
  const dest = pickDestination(deps.snapshot(), authority, undefined, deps.rr);
  if (dest.cluster !== undefined) entry.upstreamCluster = dest.cluster;
  if (!dest.ok) return refuse(dest.status, dest.body, dest.details, dest.flags);
  entry.routeName = dest.route;
  entry.upstreamHost = hostPort(dest.target.host, dest.target.port);
  const failed = (err: unknown, answered: boolean) => {
    const reason = transportFailureReason(err);
    entry.upstreamTransportFailureReason = reason;
    deps.log.debug({ upstream: entry.upstreamHost, reason }, 'tunnel upstream connection failed');
    if (answered) {
      entry.responseFlags.push('UF');
      client.destroy();
    } else refuse(503, `upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: ${reason}`, 'upstream_reset_before_response_started{connection_failure}', ['UF']);
  };
  const known = dest.target.mtls ? declaredAlpn(dest.protocol) : [];
  if (known) {
    // Connect first: the app learns of a refused destination or an impostor from the status, not a reset.
    deps.upstream.tunnel(dest.target, known).then((up) => {
      entry.responseCode = 200;
      entry.responseCodeDetails = 'via_upstream';
      client.write(ESTABLISHED);
      splice(client, up, head, entry);
    }, (err: unknown) => failed(err, false));
    return;
  }
  // An HTTP port may carry HTTP/1.1 or h2c: answer, read the client's first bytes, then pick the ALPN.
  entry.responseCode = 200;
  client.write(ESTABLISHED);
  void firstBytes(client, head).then((first) => {
    if (!first) return void client.destroy();
    deps.upstream.tunnel(dest.target, sniffedAlpn(first)).then((up) => {
      entry.responseCodeDetails = 'via_upstream';
      splice(client, up, first, entry);
      client.resume();
    }, (err: unknown) => failed(err, true));
  });
}
