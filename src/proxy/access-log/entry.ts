/**
 * One access-log record: the fields of Istio's default format, for one HTTP
 * request or one TCP connection. Absent values print as `-`, as Envoy does.
 */

export interface AccessLogEntry {
  startTime: Date;
  /** `GET`; absent for TCP and for connections closed before a request. */
  method?: string;
  /** `X-Envoy-Original-Path` else `:path` — the path as the client sent it. */
  path?: string;
  /** `HTTP/1.1`, `HTTP/2`; absent for TCP. */
  protocol?: string;
  /** 0 when no response was sent (TCP, closed connections). */
  responseCode: number;
  /** Envoy response flags, comma-joined (`NR`, `UF`, `UAEX`, `DPE`); `-` when none. */
  responseFlags: string[];
  /** `via_upstream`, `filter_chain_not_found`, `rbac_access_denied_matched_policy[none]`, … */
  responseCodeDetails?: string;
  connectionTerminationDetails?: string;
  upstreamTransportFailureReason?: string;
  bytesReceived: number;
  bytesSent: number;
  durationMs: number;
  upstreamServiceTimeMs?: number;
  xForwardedFor?: string;
  userAgent?: string;
  requestId?: string;
  authority?: string;
  /** `127.0.0.1:8080` */
  upstreamHost?: string;
  /** `inbound|8080||` */
  upstreamCluster?: string;
  upstreamLocalAddress?: string;
  downstreamLocalAddress?: string;
  downstreamRemoteAddress?: string;
  requestedServerName?: string;
  routeName?: string;
  /** `spiffe://cluster.local/ns/default/sa/sleep`; not in the text format, in JSON and metrics. */
  downstreamPeerUri?: string;
  /** Our own identity (`%UPSTREAM_PEER_URI_SAN%` side of an inbound hop is the app: the local SPIFFE ID). */
  downstreamLocalUri?: string;
  /** `mutual_tls` or `none`. */
  connectionSecurityPolicy: 'mutual_tls' | 'none';
}

/** Builds `ip:port`, bracketing IPv6 as Envoy does. */
export function hostPort(ip: string | undefined, port: number | undefined): string | undefined {
  if (!ip || port === undefined) return undefined;
  const bare = ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
  return bare.includes(':') ? `[${bare}]:${port}` : `${bare}:${port}`;
}
