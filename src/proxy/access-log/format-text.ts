/**
 * Istio's default text access-log format (istio.io "Envoy Access Logs"; the
 * format istiod installs since 1.8):
 *
 * ```
 * [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE%
 * %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%
 * "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION%
 * %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%"
 * "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER%
 * %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS%
 * %REQUESTED_SERVER_NAME% %ROUTE_NAME%
 * ```
 * (one line). Every value is printed as-is except that control characters a
 * client sent are escaped, so one request is always one log line.
 */
import type { AccessLogEntry } from './entry.js';

const DASH = '-';

/** Client-controlled text (path, user agent, authority): no newline or `"` can forge a second record. */
function clean(v: string | undefined): string {
  if (v === undefined || v === '') return DASH;
  // eslint-disable-next-line no-control-regex
  return /[\x00-\x1f\x7f"\\]/.test(v) ? v.replace(/[\x00-\x1f\x7f"\\]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`) : v;
}

function num(v: number | undefined): string {
  return v === undefined ? DASH : String(Math.max(0, Math.round(v)));
}

/** Envoy prints response flags comma-joined, `-` for none. */
export function formatFlags(flags: readonly string[]): string {
  return flags.length === 0 ? DASH : flags.join(',');
}

/**
 * One line (no trailing newline) in Istio's default format.
 *
 * @example
 * formatTextLine(entry)
 * // '[2025-05-01T08:32:08.511Z] "- - -" 0 NR filter_chain_not_found - "-" 0 0 0 - "-" "-" "-" "-" "-" - - 10.10.0.17:8080 10.10.0.16:51930 - -'
 */
export function formatTextLine(e: AccessLogEntry): string {
  return (
    `[${e.startTime.toISOString()}] "${clean(e.method)} ${clean(e.path)} ${clean(e.protocol)}" ${e.responseCode} ` +
    `${formatFlags(e.responseFlags)} ${clean(e.responseCodeDetails)} ${clean(e.connectionTerminationDetails)} ` +
    `"${clean(e.upstreamTransportFailureReason)}" ${num(e.bytesReceived)} ${num(e.bytesSent)} ${num(e.durationMs)} ` +
    `${num(e.upstreamServiceTimeMs)} "${clean(e.xForwardedFor)}" "${clean(e.userAgent)}" "${clean(e.requestId)}" ` +
    `"${clean(e.authority)}" "${clean(e.upstreamHost)}" ${clean(e.upstreamCluster)} ${clean(e.upstreamLocalAddress)} ` +
    `${clean(e.downstreamLocalAddress)} ${clean(e.downstreamRemoteAddress)} ${clean(e.requestedServerName)} ${clean(e.routeName)}`
  );
}
