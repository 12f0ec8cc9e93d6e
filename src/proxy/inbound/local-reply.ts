/**
 * Responses the proxy writes itself (Envoy's "local replies"): the status, the
 * body users know, the response-code details and flags the access log shows.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { InboundRequest } from './layer.js';

/**
 * Send a local reply unless a response already started (then only close).
 *
 * @example
 * localReply(r, 403, 'RBAC: access denied', 'rbac_access_denied_matched_policy[none]');
 */
export function localReply(
  r: InboundRequest,
  status: number,
  body: string | Buffer,
  details: string,
  opts: { flags?: string[]; headers?: OutgoingHttpHeaders } = {},
): void {
  r.responseCodeDetails = details;
  if (opts.flags) r.responseFlags.push(...opts.flags);
  // Both response kinds share this surface; the union is not callable in TypeScript.
  const res = r.res as ServerResponse;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (isGrpc(r)) {
    // Envoy answers a gRPC request's local reply in gRPC: HTTP 200, the status mapped as
    // Grpc::Utility::httpToGrpcStatus does, the body text as grpc-message (percent-encoded).
    r.grpcStatus = String(grpcStatusFor(status));
    r.loggedResponseCode = status;
    // Status in trailers after empty response headers: a shape every gRPC client reads the same way as
    // Envoy's trailers-only reply (Node's compatibility API cannot end a stream on its HEADERS frame).
    res.addTrailers({ 'grpc-status': r.grpcStatus, 'grpc-message': encodeGrpcMessage(body.toString()) });
    res.writeHead(200, { 'content-type': 'application/grpc', ...(opts.headers ?? {}) });
    res.end();
    return;
  }
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  r.bytesSent += buf.length;
  // Envoy's local replies are text/plain and carry the same headers on both protocols.
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': buf.length, ...(opts.headers ?? {}) });
  res.end(buf);
}

function isGrpc(r: InboundRequest): boolean {
  const ct = r.req.headers['content-type'];
  return typeof ct === 'string' && ct.startsWith('application/grpc');
}

/** Envoy's `Grpc::Utility::httpToGrpcStatus`. */
export function grpcStatusFor(httpStatus: number): number {
  switch (httpStatus) {
    case 400: return 13; // INTERNAL
    case 401: return 16; // UNAUTHENTICATED
    case 403: return 7; // PERMISSION_DENIED
    case 404: return 12; // UNIMPLEMENTED
    case 429: case 502: case 503: case 504: return 14; // UNAVAILABLE
    default: return 2; // UNKNOWN
  }
}

/** grpc-message is percent-encoded outside printable ASCII and `%` (gRPC over HTTP/2 spec). */
function encodeGrpcMessage(text: string): string {
  return Array.from(Buffer.from(text, 'utf8'), (b) => (b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}
