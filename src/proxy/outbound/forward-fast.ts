/**
 * The fast path of the app's absolute-form requests (`GET http://catalog/items
 * HTTP/1.1` that the strict parser accepted): routed exactly as
 * `forward-request.ts` routes them, then written origin-form onto a pooled
 * raw connection to the destination (mTLS with secure naming checked once per
 * connection, or TCP for passthrough), the response relayed as bytes. The
 * access-log entry and the failure replies (503 `UF` with Envoy's transport
 * failure reason, `UR` after the response started, `DC`) are the Node path's.
 */
import { forwardablePairs } from '../http/hop-by-hop.js';
import { relayResponse, sendRequest, serializeRequestHead, type FastRequest, type FastResponse, type Http1Error } from '../http1/index.js';
import { reply, routeRequest, upstreamHeaders, UPSTREAM_CONNECT_ERROR } from './forward-request.js';
import type { OutboundDeps } from './outbound-deps.js';
import { transportFailureReason } from './upstream-pool.js';

/**
 * @example
 * serveFastHttp1(socket, { form: 'absolute', serve: (req, res) => forwardFast(deps, req, res), fallback, keepAliveTimeoutMs });
 */
export function forwardFast(deps: OutboundDeps, req: FastRequest, res: FastResponse): void {
  const routed = routeRequest(deps, req, res);
  if (!routed) return;
  const { x, entry, dest, authority, path, startMs } = routed;
  const headers = upstreamHeaders(req, authority);
  entry.requestId = headers['x-request-id'] as string;
  const head = serializeRequestHead(req.method, path, headers);
  let clientGone = false;
  res.once('close', () => {
    if (!res.writableFinished) clientGone = true;
  });
  const failed = (err: Http1Error) => {
    if (clientGone) return void entry.responseFlags.push('DC');
    if (res.headersSent) return reply(x, entry.responseCode, '', 'upstream_reset_after_response_started', ['UR']);
    const reason = transportFailureReason(err.cause ?? err);
    entry.upstreamTransportFailureReason = reason;
    deps.log.debug({ upstream: entry.upstreamHost, reason }, 'upstream connection failed');
    reply(x, 503, `${UPSTREAM_CONNECT_ERROR}, transport failure reason: ${reason}`, 'upstream_reset_before_response_started{connection_failure}', ['UF']);
  };
  const relay = relayResponse(res, {
    head(h) {
      entry.responseCode = h.status;
      entry.responseCodeDetails = 'via_upstream';
      entry.upstreamServiceTimeMs = Math.round(performance.now() - startMs);
      return forwardablePairs(h.headers);
    },
    end: () => {},
    error: failed,
  });
  const body = req.contentLength > 0 ? req : null;
  const up = deps.upstream;
  relay.bind(sendRequest(up.sockets, up.fastKey(dest.target), up.fastConnect(dest.target), { method: req.method, head, body }, relay));
}
