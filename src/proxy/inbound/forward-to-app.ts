/**
 * The last step: the request, as checked, to the app. A fast-path request
 * (`FastRequest`) goes over a raw keep-alive socket: its checked head written
 * once, the body and the app's answer passed through as bytes (see
 * `forward-fast.ts`). Other HTTP/1 requests use the keep-alive agent;
 * HTTP/2 cleartext when the port speaks
 * HTTP/2 or gRPC (or a gRPC call arrives over HTTP/2), so trailers
 * (`grpc-status`) come back. The app being unreachable is Envoy's 503 with
 * flag `UF`; a reset after the response started closes the stream, flag `UR`.
 */
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import { hostPort } from '../access-log/entry.js';
import { forwardableHeaders } from '../http/hop-by-hop.js';
import type { AppConnections } from './app-connections.js';
import { FastRequest, FastResponse } from '../http1/index.js';
import { viaFastPath } from './forward-fast.js';
import type { Handler, InboundRequest } from './layer.js';
import { localReply } from './local-reply.js';

export const UPSTREAM_CONNECT_FAILURE_BODY = 'upstream connect error or disconnect/reset before headers. reset reason: connection failure';
export const UPSTREAM_CONNECT_FAILURE_DETAILS = 'upstream_reset_before_response_started{connection_failure}';
const UPSTREAM_RESET_AFTER_DETAILS = 'upstream_reset_after_response_started{remote_reset}';

function wantsHttp2(r: InboundRequest): boolean {
  if (r.port.protocol === 'grpc' || r.port.protocol === 'http2') return true;
  const ct = r.req.headers['content-type'];
  return r.req.httpVersionMajor === 2 && typeof ct === 'string' && ct.startsWith('application/grpc');
}

/** The app failed us: Envoy's 503 `UF` before the response started, a reset (`UR`) after. */
export function upstreamFailed(r: InboundRequest): void {
  if (r.res.headersSent) {
    r.responseFlags.push('UR');
    r.responseCodeDetails = UPSTREAM_RESET_AFTER_DETAILS;
    r.res.destroy();
    return;
  }
  localReply(r, 503, UPSTREAM_CONNECT_FAILURE_BODY, UPSTREAM_CONNECT_FAILURE_DETAILS, { flags: ['UF'] });
}

function countRequestBytes(r: InboundRequest): void {
  r.req.on('data', (c: Buffer) => (r.bytesReceived += c.length));
}

/** An HTTP/1 request without Content-Length or Transfer-Encoding has no body (RFC 9112 §6.3); HTTP/2 may have one anyway. */
function hasNoBody(r: InboundRequest): boolean {
  const h = r.req.headers;
  return r.req.httpVersionMajor === 1 && h['transfer-encoding'] === undefined && (h['content-length'] === undefined || h['content-length'] === '0');
}

function responseHeaders(r: InboundRequest, headers: IncomingHttpHeaders, http2Downstream: boolean): OutgoingHttpHeaders {
  const out = forwardableHeaders(headers, http2Downstream);
  if (r.extraResponseHeaders) {
    // ext_authz headersToDownstreamOnAllow: "any existing headers will be overridden".
    for (const [name] of r.extraResponseHeaders) delete out[name];
    for (const [name, value] of r.extraResponseHeaders) {
      const prior = out[name];
      out[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [String(prior), value];
    }
  }
  return out;
}

function viaHttp1(app: AppConnections, r: InboundRequest): Promise<void> {
  return new Promise((resolve) => {
    const headers = forwardableHeaders(r.req.headers, false);
    if (headers.host === undefined && r.req.headers[':authority']) headers.host = r.req.headers[':authority'] as string;
    const sent = performance.now();
    const up = http.request({ agent: app.agent, host: r.port.targetHost, port: r.port.targetPort, method: r.req.method, path: r.upstreamPath, headers });
    up.on('response', (upRes) => {
      r.upstreamServiceTimeMs = performance.now() - sent;
      r.responseCodeDetails = 'via_upstream';
      (r.res as http.ServerResponse).writeHead(upRes.statusCode ?? 502, responseHeaders(r, upRes.headers, r.req.httpVersionMajor === 2));
      upRes.on('data', (c: Buffer) => (r.bytesSent += c.length));
      // pipe, not write: the app's body waits when the client reads slowly.
      upRes.pipe(r.res as http.ServerResponse, { end: false });
      upRes.on('end', () => {
        if (Object.keys(upRes.trailers).length) r.res.addTrailers(upRes.trailers as OutgoingHttpHeaders);
        (r.res as http.ServerResponse).end();
        resolve();
      });
      upRes.on('error', () => {
        upstreamFailed(r);
        resolve();
      });
    });
    up.on('error', () => {
      upstreamFailed(r);
      resolve();
    });
    if (hasNoBody(r)) {
      // A GET and its like: no stream plumbing (listeners, pipe state) for a body that cannot come.
      up.end();
      return;
    }
    countRequestBytes(r);
    (r.body ?? r.req).pipe(up);
  });
}

/** HTTP/2 pseudo-headers and the rest for the app's h2c session. */
function http2RequestHeaders(r: InboundRequest): http2.OutgoingHttpHeaders {
  const headers = forwardableHeaders(r.req.headers, true) as http2.OutgoingHttpHeaders;
  const authority = (r.req.headers[':authority'] as string | undefined) ?? r.req.headers.host ?? r.port.targetHost;
  delete headers.host;
  headers[':method'] = r.req.method ?? 'GET';
  headers[':path'] = r.upstreamPath;
  headers[':authority'] = authority;
  headers[':scheme'] = 'http';
  return headers;
}

function viaHttp2(app: AppConnections, r: InboundRequest): Promise<void> {
  return new Promise((resolve) => {
    let stream: http2.ClientHttp2Stream;
    const sent = performance.now();
    try {
      stream = app.session(r.port.targetHost, r.port.targetPort).request(http2RequestHeaders(r));
    } catch {
      upstreamFailed(r);
      resolve();
      return;
    }
    stream.on('response', (headers, flags) => {
      r.upstreamServiceTimeMs = performance.now() - sent;
      r.responseCodeDetails = 'via_upstream';
      const status = Number(headers[':status'] ?? 502);
      const out = responseHeaders(r, headers, true);
      // A trailers-only answer (gRPC error): everything but content-type is trailing metadata (grpc-* and the
      // app's own), so send it as trailers: every client reads the status and the error's metadata there.
      if (flags & http2.constants.NGHTTP2_FLAG_END_STREAM && out['grpc-status'] !== undefined) {
        const trailers: OutgoingHttpHeaders = {};
        for (const k of Object.keys(out)) {
          if (k === 'content-type') continue;
          trailers[k] = out[k];
          delete out[k];
        }
        r.res.addTrailers(trailers);
        r.grpcStatus = String(trailers['grpc-status']);
      }
      (r.res as http.ServerResponse).writeHead(status, out);
    });
    stream.on('data', (c: Buffer) => (r.bytesSent += c.length));
    stream.pipe(r.res as http.ServerResponse, { end: false });
    stream.on('trailers', (trailers) => {
      if (trailers['grpc-status'] !== undefined) r.grpcStatus = String(trailers['grpc-status']);
      r.res.addTrailers(forwardableHeaders(trailers, true));
    });
    stream.on('end', () => {
      (r.res as http.ServerResponse).end();
      resolve();
    });
    stream.on('error', () => {
      upstreamFailed(r);
      resolve();
    });
    // The client went away: stop the app's work too.
    (r.res as http.ServerResponse).on('close', () => {
      if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
    });
    countRequestBytes(r);
    (r.body ?? r.req).pipe(stream);
  });
}

/**
 * @example
 * compose(layers, forwardToApp(createAppConnections()))
 */
export function forwardToApp(app: AppConnections): Handler {
  return (r) => {
    r.upstreamHost = hostPort(r.port.targetHost, r.port.targetPort);
    if (r.req instanceof FastRequest && r.res instanceof FastResponse) return viaFastPath(app, r, r.req, r.res);
    return wantsHttp2(r) ? viaHttp2(app, r) : viaHttp1(app, r);
  };
}
