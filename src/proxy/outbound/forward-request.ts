/**
 * An app's absolute-URI request (`GET http://catalog.istioinaction/items`)
 * forwarded to its destination over a pooled connection. The `Host` is the
 * authority the client wrote in the URI (RFC 9112 §3.2.2); hop-by-hop headers
 * go; like Istio's sidecar we add only `x-forwarded-proto` and `x-request-id`
 * when absent.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AccessLogEntry } from '../access-log/entry.js';
import { hostPort } from '../access-log/entry.js';
import { forwardableHeaders } from '../http/hop-by-hop.js';
import { requestId } from '../http/request-id.js';
import { DEFAULT_HTTP_PORT } from './resolve.js';
import { pickDestination } from './destination.js';
import { transportFailureReason } from './upstream-pool.js';
import type { OutboundDeps } from './outbound-deps.js';

/** What an app that talks origin-form to us gets told (it is not using the proxy as a proxy). */
export const ORIGIN_FORM_HINT =
  'meshguard outbound proxy: send absolute-URI requests (GET http://catalog.istioinaction/items HTTP/1.1), ' +
  'i.e. use this address as an HTTP proxy: curl -x, or http_proxy=http://<this address> (lowercase: curl ignores HTTP_PROXY)\n';
/** Envoy's body for a failed upstream connection; the reason follows it. */
export const UPSTREAM_CONNECT_ERROR = 'upstream connect error or disconnect/reset before headers. reset reason: connection failure';

/** What a reply needs of a response: Node's `ServerResponse` and the fast path's `FastResponse` both fit. */
export interface ReplyTarget {
  readonly headersSent: boolean;
  destroy(): unknown;
  writeHead(status: number, headers: OutgoingHttpHeaders): { end(body: Buffer): unknown };
}

export interface Exchange {
  entry: AccessLogEntry;
  res: ReplyTarget;
}

/** A reply of our own (no route, upstream failure), or a reset when the response already started. */
export function reply(x: Exchange, status: number, body: string, details: string, flags: string[] = []): void {
  x.entry.responseCode = status;
  x.entry.responseCodeDetails = details;
  x.entry.responseFlags.push(...flags);
  if (x.res.headersSent) {
    x.res.destroy();
    return;
  }
  const buf = Buffer.from(body);
  x.res.writeHead(status, { 'content-type': 'text/plain', 'content-length': buf.length }).end(buf);
}

function firstOf(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function hasBody(h: IncomingHttpHeaders): boolean {
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
}

/** Headers for the destination: hop-by-hop removed, Host from the URI, Istio's two additions. */
export function upstreamHeaders(req: { headers: IncomingHttpHeaders }, authority: string): Record<string, string | string[]> {
  const h = forwardableHeaders(req.headers, false) as Record<string, string | string[]>;
  // undici refuses `expect`; Node's server already answered `100-continue` to the app.
  delete h.expect;
  h.host = authority;
  h['x-forwarded-proto'] ??= 'http';
  h['x-request-id'] ??= requestId();
  return h;
}

/** What `routeRequest` found: where the request goes, and the access-log entry being filled. */
export interface Routed {
  x: Exchange;
  entry: AccessLogEntry;
  dest: Extract<ReturnType<typeof pickDestination>, { ok: true }>;
  authority: string;
  path: string;
  /** `performance.now()` when the request arrived. */
  startMs: number;
}

const ADDRESSES = Symbol('meshguard.outboundAddresses');

/** The connection's `ip:port` pair for the access log, built once per connection rather than per request. */
function addressesOf(socket: Socket): { remote: string | undefined; local: string | undefined } {
  const s = socket as Socket & { [ADDRESSES]?: { remote: string | undefined; local: string | undefined } };
  return (s[ADDRESSES] ??= { remote: hostPort(socket.remoteAddress, socket.remotePort), local: hostPort(socket.localAddress, socket.localPort) });
}

/**
 * The shared first half of an outbound request, on either path: the access-log
 * entry (logged when `res` closes), the absolute URI split, the destination
 * picked. Undefined when a reply was already sent (not absolute-form, no route).
 */
export function routeRequest(
  deps: OutboundDeps,
  req: { method?: string | undefined; url?: string | undefined; httpVersion: string; headers: IncomingHttpHeaders; socket: Socket },
  res: ReplyTarget & { readonly writableFinished: boolean; once(event: 'close', cb: () => void): unknown },
): Routed | undefined {
  const startMs = performance.now();
  const url = req.url ?? '';
  const addresses = addressesOf(req.socket);
  // Every field the request may fill later is in the literal: the object gets its final shape at once.
  const entry: AccessLogEntry = {
    startTime: new Date(), method: req.method, path: url, protocol: `HTTP/${req.httpVersion}`, responseCode: 0, responseFlags: [],
    responseCodeDetails: undefined, upstreamTransportFailureReason: undefined,
    bytesReceived: 0, bytesSent: 0, durationMs: 0, upstreamServiceTimeMs: undefined, userAgent: firstOf(req.headers['user-agent']),
    requestId: undefined, authority: undefined, upstreamHost: undefined, upstreamCluster: undefined, routeName: undefined,
    connectionSecurityPolicy: 'none', downstreamRemoteAddress: addresses.remote, downstreamLocalAddress: addresses.local,
  };
  const x: Exchange = { entry, res };
  if (deps.accessLog) {
    const log = deps.accessLog;
    res.once('close', () => {
      // Closed before the response completed and no other flag: the client went away (Envoy's DC). The
      // upstream exchange is aborted after this, too late to add a flag to this line.
      if (!res.writableFinished && entry.responseFlags.length === 0) entry.responseFlags.push('DC');
      entry.durationMs = Math.round(performance.now() - startMs);
      log.log(entry);
    });
  }
  const m = /^http:\/\/([^/?#]*)([^#]*)/i.exec(url);
  if (!m) {
    const https = /^https:/i.test(url);
    return void reply(x, 400, https ? 'meshguard outbound proxy: https:// URLs go through CONNECT\n' : ORIGIN_FORM_HINT, 'absolute_path_rejected', ['DPE']);
  }
  const authority = m[1] as string;
  const path = m[2] || '/';
  entry.path = path;
  entry.authority = authority;
  const dest = pickDestination(deps.snapshot(), authority, DEFAULT_HTTP_PORT, deps.rr);
  if (dest.cluster !== undefined) entry.upstreamCluster = dest.cluster;
  if (!dest.ok) return void reply(x, dest.status, dest.body, dest.details, dest.flags);
  entry.upstreamCluster = dest.cluster;
  entry.routeName = dest.route;
  entry.upstreamHost = hostPort(dest.target.host, dest.target.port);
  return { x, entry, dest, authority, path, startMs };
}

/**
 * Handle one request the app sent to the outbound listener.
 *
 * @example
 * http.createServer((req, res) => forwardRequest(deps, req, res));
 */
export function forwardRequest(deps: OutboundDeps, req: IncomingMessage, res: ServerResponse): void {
  const routed = routeRequest(deps, req, res);
  if (!routed) return void req.resume();
  const { x, entry, dest, authority, path, startMs } = routed;
  const headers = upstreamHeaders(req, authority);
  entry.requestId = firstOf(headers['x-request-id']);
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  deps.upstream
    .http1(dest.target)
    .stream({ path, method: req.method as 'GET', headers, body: hasBody(req.headers) ? req : null, signal: abort.signal }, ({ statusCode, headers: rh }) => {
      entry.responseCode = statusCode;
      entry.responseCodeDetails = 'via_upstream';
      entry.upstreamServiceTimeMs = Math.round(performance.now() - startMs);
      res.writeHead(statusCode, forwardableHeaders(rh as IncomingHttpHeaders, false));
      return res;
    })
    .catch((err: unknown) => {
      if (abort.signal.aborted) return; // the client went away: logged DC at the close
      if (res.headersSent) return reply(x, entry.responseCode, '', 'upstream_reset_after_response_started', ['UR']);
      const reason = transportFailureReason(err);
      entry.upstreamTransportFailureReason = reason;
      deps.log.debug({ upstream: entry.upstreamHost, reason }, 'upstream connection failed');
      reply(x, 503, `${UPSTREAM_CONNECT_ERROR}, transport failure reason: ${reason}`, 'upstream_reset_before_response_started{connection_failure}', ['UF']);
    });
}
