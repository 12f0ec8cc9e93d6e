/**
 * A fast-path request to the app over a raw keep-alive socket: the head as
 * the layers left it (method, `r.upstreamPath`, their header changes, no
 * hop-by-hop headers) in one write, the body by its Content-Length with
 * backpressure, then the app's response passed through (`relayResponse`).
 * Outcomes match the Node path: 503 `UF` when the app cannot be reached, a
 * reset (`UR`) after the response started, the same access-log counts (body
 * bytes without chunk framing).
 */
import type { Readable } from 'node:stream';
import { forwardableHeaders, forwardablePairs } from '../http/hop-by-hop.js';
import { relayResponse, sendRequest, serializeRequestHead, type FastRequest, type FastResponse, type HeaderPairs, type HeaderValue, type RelayHooks, type ResponseHead } from '../http1/index.js';
import type { AppConnections } from './app-connections.js';
import { upstreamFailed } from './forward-to-app.js';
import type { InboundRequest } from './layer.js';

/** The body to send: a layer that read the body (ext_authz) leaves a replacement stream in `r.body`. */
function bodyOf(r: InboundRequest, req: FastRequest): Readable | null {
  return req.contentLength === 0 ? null : (r.body ?? req);
}

/**
 * The app's headers to pass on, with ext_authz's `headersToDownstreamOnAllow` replacing any of the same name.
 * The head is written without further checks: the app's pairs were checked by the parser, the
 * provider's when its answer was read (`mapCheckResponse` refuses any that could split a head).
 */
function responsePairs(r: InboundRequest, pairs: HeaderPairs): HeaderPairs {
  const out = forwardablePairs(pairs);
  const extra = r.extraResponseHeaders;
  if (!extra) return out;
  const replaced = new Set(extra.map(([name]) => name));
  return [...out.filter(([name]) => !replaced.has(name)), ...extra];
}

/** What the relay tells the request's record; one object per request rather than four closures. */
class AppResponseHooks implements RelayHooks {
  private readonly sent = performance.now();

  constructor(private readonly r: InboundRequest) {}

  head(h: ResponseHead): HeaderPairs {
    this.r.upstreamServiceTimeMs = performance.now() - this.sent;
    this.r.responseCodeDetails = 'via_upstream';
    return responsePairs(this.r, h.headers);
  }

  body(n: number): void {
    this.r.bytesSent += n;
  }

  end(): void {}

  error(): void {
    upstreamFailed(this.r);
  }
}

/**
 * Synchronous: nothing waits for the exchange (the access log hangs on the response's close), so
 * no promise per request. A head that cannot be written throws here, and the pipeline answers 500.
 *
 * @example
 * if (r.req instanceof FastRequest && r.res instanceof FastResponse) return viaFastPath(app, r, r.req, r.res);
 */
export function viaFastPath(app: AppConnections, r: InboundRequest, req: FastRequest, res: FastResponse): void {
  const headers = forwardableHeaders(r.req.headers, false) as Record<string, HeaderValue>;
  // Throws on a value no parser could read back: the pipeline answers 500, as Node's `http.request` does.
  const head = serializeRequestHead(req.method, r.upstreamPath, headers);
  const body = bodyOf(r, req);
  if (body === req) {
    // Paused first: a 'data' listener alone would start the flow before the exchange (maybe still connecting) listens.
    req.pause();
  }
  if (body) req.on('data', (c: Buffer) => (r.bytesReceived += c.length));
  const relay = relayResponse(res, new AppResponseHooks(r));
  const { targetHost, targetPort } = r.port;
  relay.bind(sendRequest(app.sockets, `${targetHost}:${targetPort}`, app.connect(targetHost, targetPort), { method: req.method, head, body }, relay));
}
