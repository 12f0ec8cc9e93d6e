/**
 * The shape of the inbound HTTP stack: one request object travels through
 * layers, each `(next) => handler`, composed once when the stack is built.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { RequestAuthAttributes } from '../../policy/jwt/index.js';
import type { ConnectionInfo } from './connection-info.js';
import type { FastRequest, FastResponse } from '../http1/index.js';
import type { ProxyState } from './proxy-state.js';

/** What one inbound port forwards to, and how it names itself in logs. */
export interface InboundPort {
  /** The port clients connect to (the sidecar's listener). */
  port: number;
  listenHost: string;
  /** The app: where allowed requests go. */
  targetHost: string;
  /** Also the workload port PeerAuthentication `portLevelMtls` and authorization `ports` refer to. */
  targetPort: number;
  protocol: 'http' | 'http2' | 'grpc' | 'tcp';
}

/** One request on its journey; layers read and add to it. */
export interface InboundRequest {
  /** Node's objects, or the HTTP/1.1 fast path's (`fast-objects.ts`), which offer the members layers use. */
  readonly req: IncomingMessage | Http2ServerRequest | FastRequest;
  readonly res: ServerResponse | Http2ServerResponse | FastResponse;
  readonly conn: ConnectionInfo;
  readonly port: InboundPort;
  /** The compiled snapshot at the time the request arrived: a swap mid-request changes nothing for it. */
  readonly state: ProxyState;
  readonly startMs: number;
  readonly startTime: Date;
  /** `:path` as the client sent it (the access log shows this). */
  readonly rawPath: string;
  /** Normalized path plus the original query: what authorization checked and the app receives. */
  upstreamPath: string;
  /** Normalized path without query, for authorization. */
  checkedPath: string;
  /** The verified end-user token, when RequestAuthentication found one. */
  auth: RequestAuthAttributes | undefined;
  /** Access-log and metric facts the layers fill in. */
  responseFlags: string[];
  responseCodeDetails: string | undefined;
  upstreamHost: string | undefined;
  upstreamServiceTimeMs: number | undefined;
  bytesReceived: number;
  bytesSent: number;
  /** `grpc-status` the app returned (trailers), for the metrics label. */
  grpcStatus: string | undefined;
  /**
   * The code the access log and metrics report when it differs from the wire status: a gRPC local
   * reply goes out as HTTP 200 + grpc-status, and Envoy still logs the HTTP code it stands for (403).
   */
  loggedResponseCode?: number;
  /** The body to send the app when a layer already read part of `req` (ext_authz with the body in the check). */
  body?: Readable;
  /** Headers added to the app's response (ext_authz `headersToDownstreamOnAllow`), replacing the app's of that name. */
  extraResponseHeaders?: ReadonlyArray<[string, string]>;
}

export type Handler = (r: InboundRequest) => void | Promise<void>;
export type Layer = (next: Handler) => Handler;

/**
 * Wrap `last` in `layers`, the first layer outermost (it sees the request first).
 *
 * @example
 * const handler = compose([stripIdentityHeaders(), normalizeRequestPath()], forwardToApp(pool));
 */
export function compose(layers: readonly Layer[], last: Handler): Handler {
  if (typeof last !== 'function') throw new TypeError('compose: the last handler must be a function');
  let handler = last;
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    if (typeof layer !== 'function') throw new TypeError(`compose: layer ${i} is not a function`);
    handler = layer(handler);
    if (typeof handler !== 'function') throw new TypeError(`compose: layer ${i} did not return a handler`);
  }
  return handler;
}
