/**
 * The inbound HTTP stack, read top to bottom as a request's journey:
 *
 *   record-access → strip-identity-headers → normalize-path →
 *   authenticate-request (401) → authorize-request (403; CUSTOM → call-ext-authz) → set-xfcc → forward-to-app
 *
 * `handleRequest` turns Node's request into an `InboundRequest` and runs it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { KeyResolver } from '../../policy/jwt/index.js';
import type { FastRequest, FastResponse } from '../http1/index.js';
import type { ExtAuthzClient } from '../ext-authz/index.js';
import type { TlsContextManager } from '../tls/context-manager.js';
import type { AppConnections } from './app-connections.js';
import { requestId } from '../http/request-id.js';
import { authenticateRequest } from './authenticate-request.js';
import { authorizeRequest } from './authorize-request.js';
import { connectionOf } from './connection-info.js';
import { forwardToApp } from './forward-to-app.js';
import { compose, type Handler, type InboundPort } from './layer.js';
import { normalizeRequestPath } from './normalize-path.js';
import type { ProxyLog } from './listener.js';
import type { ProxyState } from './proxy-state.js';
import { recordAccess } from './record-access.js';
import { setXfcc } from './set-xfcc.js';
import { stripIdentityHeaders, type ForwardClientCert } from './strip-identity-headers.js';
import type { Telemetry } from './telemetry.js';

export interface PipelineDeps {
  tls: Pick<TlsContextManager, 'identity'>;
  keys: KeyResolver;
  app: AppConnections;
  telemetry: Telemetry;
  forwardClientCert: ForwardClientCert;
  /** The ext_authz client CUSTOM policies call; none = such requests are refused (403 UAEX). */
  extAuthz?: ExtAuthzClient;
  log?: ProxyLog;
}

/**
 * The composed handler.
 *
 * @example
 * const handler = buildHttpPipeline({ tls, keys, app, telemetry, forwardClientCert: 'SANITIZE_SET' });
 */
export function buildHttpPipeline(deps: PipelineDeps): Handler {
  return compose(
    [
      recordAccess(deps.telemetry, () => deps.tls.identity().spiffeId),
      stripIdentityHeaders(deps.forwardClientCert),
      normalizeRequestPath(),
      authenticateRequest(deps.keys),
      authorizeRequest(deps.extAuthz, deps.log),
      setXfcc(deps.tls),
    ],
    forwardToApp(deps.app),
  );
}

/**
 * Run one Node request through `handler`. A request on a connection the
 * listener never described (it cannot happen; fail closed if it does) is reset.
 */
export function handleRequest(
  handler: Handler,
  state: ProxyState,
  port: InboundPort,
  req: IncomingMessage | Http2ServerRequest | FastRequest,
  res: ServerResponse | Http2ServerResponse | FastResponse,
): void {
  const conn = connectionOf(req.socket);
  if (!conn) {
    res.destroy();
    return;
  }
  // Envoy gives every request an id the app and the access log share.
  if (req.headers['x-request-id'] === undefined) req.headers['x-request-id'] = requestId();
  const rawPath = req.url ?? '';
  const r = {
    req, res, conn, port, state,
    startMs: performance.now(), startTime: new Date(), rawPath,
    upstreamPath: rawPath, checkedPath: rawPath, auth: undefined,
    responseFlags: [], responseCodeDetails: undefined, upstreamHost: undefined, upstreamServiceTimeMs: undefined,
    bytesReceived: 0, bytesSent: 0, grpcStatus: undefined,
  };
  // Layers run synchronously as long as they can (no promise per request); one that throws, at once
  // or later, gets the same answer.
  let pending: void | Promise<void>;
  try {
    pending = handler(r);
  } catch {
    return layerFailed(res);
  }
  if (pending) pending.catch(() => layerFailed(res));
}

/** A bug in a layer must not leave the client hanging or pass the request on. */
function layerFailed(res: ServerResponse | Http2ServerResponse | FastResponse): void {
  if (!res.headersSent) (res as ServerResponse).writeHead(500).end();
  else res.destroy();
}
