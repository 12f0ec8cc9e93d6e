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
  body: string,
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
  const buf = Buffer.from(body);
  r.bytesSent += buf.length;
  // Envoy's local replies are text/plain and carry the same headers on both protocols.
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': buf.length, ...(opts.headers ?? {}) });
  res.end(buf);
}
