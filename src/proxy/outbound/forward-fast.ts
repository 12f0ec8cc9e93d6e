/**
 * The fast path of the app's absolute-form requests (`GET http://catalog/items
 * HTTP/1.1` that the strict parser accepted): routed exactly as
 * `forward-request.ts` routes them, then written origin-form onto a pooled
 * raw connection to the destination (mTLS with secure naming checked once per
 * connection, or TCP for passthrough), the response relayed as bytes. The
 * access-log entry and the failure replies (503 `UF` with Envoy's transport
 * failure reason, `UR` after the response started, `DC` when the client left) are the Node path's.
 */
import { forwardablePairs } from '../http/hop-by-hop.js';
import { relayResponse, sendRequest, serializeParsedRequestHead, type FastRequest, type FastResponse, type HeaderPairs, type Http1Error, type RelayHooks, type ResponseHead } from '../http1/index.js';
import { reply, routeRequest, upstreamHeaders, UPSTREAM_CONNECT_ERROR, type Routed } from './forward-request.js';
import type { OutboundDeps } from './outbound-deps.js';
import { transportFailureReason } from './upstream-pool.js';

/** What the relay tells the access-log entry; one object per request rather than closures. */
class UpstreamResponseHooks implements RelayHooks {
  constructor(
    private readonly deps: OutboundDeps,
    private readonly routed: Routed,
  ) {}

  head(h: ResponseHead): HeaderPairs {
    const { entry, startMs } = this.routed;
    entry.responseCode = h.status;
    entry.responseCodeDetails = 'via_upstream';
    entry.upstreamServiceTimeMs = Math.round(performance.now() - startMs);
    return forwardablePairs(h.headers);
  }

  end(): void {}

  error(err: Http1Error): void {
    const { x, entry } = this.routed;
    const res = x.res as FastResponse;
    // The client went away first (the relay aborted the exchange): nothing to answer; logged DC at the close.
    if (res.connectionLost) return;
    if (res.headersSent) return reply(x, entry.responseCode, '', 'upstream_reset_after_response_started', ['UR']);
    const reason = transportFailureReason(err.cause ?? err);
    entry.upstreamTransportFailureReason = reason;
    this.deps.log.debug({ upstream: entry.upstreamHost, reason }, 'upstream connection failed');
    reply(x, 503, `${UPSTREAM_CONNECT_ERROR}, transport failure reason: ${reason}`, 'upstream_reset_before_response_started{connection_failure}', ['UF']);
  }
}

/**
 * @example
 * serveFastHttp1(socket, { form: 'absolute', serve: (req, res) => forwardFast(deps, req, res), fallback, keepAliveTimeoutMs });
 */
export function forwardFast(deps: OutboundDeps, req: FastRequest, res: FastResponse): void {
  const routed = routeRequest(deps, req, res);
  if (!routed) return;
  const { entry, dest, authority, path } = routed;
  const headers = upstreamHeaders(req, authority);
  entry.requestId = headers['x-request-id'] as string;
  // Every value is the parser's (the request's own headers, Host from its checked target) or our constant.
  const head = serializeParsedRequestHead(req.method, path, headers);
  const relay = relayResponse(res, new UpstreamResponseHooks(deps, routed));
  const body = req.contentLength > 0 ? req : null;
  const up = deps.upstream;
  relay.bind(sendRequest(up.sockets, up.fastKey(dest.target), up.fastConnect(dest.target), { method: req.method, head, body }, relay));
}
