/**
 * The outermost layer: when the response is done (or the client went away),
 * one access-log line and the request metrics, whatever layer answered.
 */
import type { InboundRequest, Layer } from './layer.js';
import { inboundCluster, type RequestOutcome, type Telemetry } from './telemetry.js';
import type { AccessLogEntry } from '../access-log/entry.js';

function header(r: InboundRequest, name: string): string | undefined {
  const v = r.req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The response's outcome, the same for the metrics and the log line. */
function outcomeOf(r: InboundRequest): RequestOutcome {
  if (!r.res.writableFinished && r.responseFlags.length === 0) r.responseFlags.push('DC'); // downstream closed before the response completed
  return {
    responseCode: r.loggedResponseCode ?? (r.res.headersSent ? r.res.statusCode : 0),
    responseFlags: r.responseFlags,
    durationMs: performance.now() - r.startMs,
    grpcStatus: r.grpcStatus,
  };
}

function entryOf(r: InboundRequest, o: RequestOutcome, localSpiffeId: string): AccessLogEntry {
  return {
    startTime: r.startTime,
    method: r.req.method,
    path: r.rawPath,
    protocol: r.req.httpVersionMajor === 2 ? 'HTTP/2' : `HTTP/${r.req.httpVersion}`,
    responseCode: o.responseCode,
    responseFlags: r.responseFlags,
    responseCodeDetails: r.responseCodeDetails,
    bytesReceived: r.bytesReceived,
    bytesSent: r.bytesSent,
    durationMs: o.durationMs,
    upstreamServiceTimeMs: r.upstreamServiceTimeMs,
    xForwardedFor: header(r, 'x-forwarded-for'),
    userAgent: header(r, 'user-agent'),
    requestId: header(r, 'x-request-id'),
    authority: header(r, ':authority') ?? header(r, 'host'),
    upstreamHost: r.upstreamHost,
    upstreamCluster: inboundCluster(r.port),
    downstreamLocalAddress: r.conn.downstreamLocal,
    downstreamRemoteAddress: r.conn.downstreamRemote,
    requestedServerName: r.conn.sni,
    routeName: 'default',
    downstreamPeerUri: r.conn.peer?.spiffeId,
    downstreamLocalUri: r.conn.security === 'mutual_tls' ? localSpiffeId : undefined,
    connectionSecurityPolicy: r.conn.security,
  };
}

/**
 * @example
 * compose([recordAccess(telemetry, () => id.spiffeId), …], app)
 */
export function recordAccess(telemetry: Telemetry, localSpiffeId: () => string): Layer {
  return (next) => (r) => {
    r.res.once('close', () => {
      const o = outcomeOf(r);
      telemetry.request(o, () => entryOf(r, o, localSpiffeId()), r.conn, r.port);
    });
    return next(r);
  };
}
