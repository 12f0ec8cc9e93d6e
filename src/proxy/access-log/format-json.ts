/**
 * Istio's JSON access-log encoding (`meshConfig.accessLogEncoding: JSON`): the
 * same operators as the text format under Istio's key names, plus the peer
 * identities. Absent values are `null`, numbers stay numbers.
 */
import type { AccessLogEntry } from './entry.js';

/**
 * One JSON object (no trailing newline).
 *
 * @example
 * JSON.parse(formatJsonLine(entry)).response_flags // 'NR'
 */
export function formatJsonLine(e: AccessLogEntry): string {
  const s = (v: string | undefined) => (v === undefined || v === '' ? null : v);
  return JSON.stringify({
    start_time: e.startTime.toISOString(),
    method: s(e.method),
    path: s(e.path),
    protocol: s(e.protocol),
    response_code: e.responseCode,
    response_flags: e.responseFlags.length ? e.responseFlags.join(',') : '-',
    response_code_details: s(e.responseCodeDetails),
    connection_termination_details: s(e.connectionTerminationDetails),
    upstream_transport_failure_reason: s(e.upstreamTransportFailureReason),
    bytes_received: e.bytesReceived,
    bytes_sent: e.bytesSent,
    duration: Math.round(e.durationMs),
    upstream_service_time: e.upstreamServiceTimeMs === undefined ? null : Math.round(e.upstreamServiceTimeMs),
    x_forwarded_for: s(e.xForwardedFor),
    user_agent: s(e.userAgent),
    request_id: s(e.requestId),
    authority: s(e.authority),
    upstream_host: s(e.upstreamHost),
    upstream_cluster: s(e.upstreamCluster),
    upstream_local_address: s(e.upstreamLocalAddress),
    downstream_local_address: s(e.downstreamLocalAddress),
    downstream_remote_address: s(e.downstreamRemoteAddress),
    requested_server_name: s(e.requestedServerName),
    route_name: s(e.routeName),
    downstream_peer_uri_san: s(e.downstreamPeerUri),
    downstream_local_uri_san: s(e.downstreamLocalUri),
    connection_security_policy: e.connectionSecurityPolicy,
  });
}
