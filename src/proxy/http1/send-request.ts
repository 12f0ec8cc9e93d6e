/**
 * A request sent over a pooled connection to one target, with the single
 * retry keep-alive needs: a peer may close an idle connection just as we
 * reuse it, so a request that failed on a REUSED socket before any response
 * byte, and that carries no body and changes nothing (GET, HEAD, OPTIONS), is
 * sent once more on a new connection. Nothing else is retried.
 */
import type { Socket } from 'node:net';
import { HTTP1_ERROR_CODES, Http1Error } from './errors.js';
import { runExchange, type Exchange, type OutgoingRequest, type ResponseHandlers } from './exchange.js';
import type { SocketPool } from './socket-pool.js';

/** Opens a new connection; `done` gets it ready to write (TLS handshake and secure naming passed), or the failure. */
export type Connect = (done: (err: Error | null, socket: Socket | null) => void) => void;

const RETRYABLE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SentRequest {
  /** See `Exchange.resume`. */
  resume(): void;
  /** Give up: the connection in use (or being opened) is closed. */
  abort(): void;
}

/**
 * @example
 * sendRequest(pool, '127.0.0.1:8080', (done) => connectTcp(done), { method: 'GET', head, body: null }, handlers);
 */
export function sendRequest(pool: SocketPool, key: string, connect: Connect, req: OutgoingRequest, h: ResponseHandlers): SentRequest {
  let current: Exchange | undefined;
  let aborted = false;
  const retryable = req.body === null && RETRYABLE.has(req.method);

  const run = (socket: Socket, reused: boolean) => {
    if (aborted) return void socket.destroy();
    const handlers: ResponseHandlers = {
      ...h,
      onError: (err) => {
        if (reused && retryable && err.beforeResponse && !aborted) return fresh();
        h.onError(err);
      },
    };
    current = runExchange(socket, req, handlers, (reusable) => {
      if (reusable) pool.release(key, socket);
    });
  };
  const fresh = () => {
    let answered = false;
    connect((err, socket) => {
      // A connector that calls back twice (an error after success) must not start a second exchange.
      if (answered) return;
      answered = true;
      if (aborted) return void socket?.destroy();
      if (err || !socket) return h.onError(new Http1Error(HTTP1_ERROR_CODES.CONNECTION_LOST, 'could not connect', { beforeResponse: true, cause: err }));
      run(socket, false);
    });
  };

  const idle = pool.take(key);
  if (idle) run(idle, true);
  else fresh();
  return {
    resume: () => current?.resume(),
    abort: () => {
      aborted = true;
      current?.abort();
    },
  };
}
