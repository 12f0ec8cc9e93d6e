/**
 * A request sent over a pooled connection to one target, with the single
 * retry keep-alive needs: a peer may close an idle connection just as we
 * reuse it, so a request that failed on a REUSED socket before any response
 * byte, and that carries no body and changes nothing (GET, HEAD, OPTIONS), is
 * sent once more on a new connection. Nothing else is retried.
 */
import type { Socket } from 'node:net';
import type { Framing } from './body-framer.js';
import { HTTP1_ERROR_CODES, Http1Error } from './errors.js';
import { runExchange, type Exchange, type OutgoingRequest, type ResponseHandlers } from './exchange.js';
import type { ResponseHead } from './parse-head.js';
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
 * The handlers one attempt runs with: the caller's, except that a failure the
 * retry rule covers starts a new connection instead of reaching the caller.
 * One object per request (no per-request copy of the handlers).
 */
class PooledSend implements ResponseHandlers, SentRequest {
  private current: Exchange | undefined;
  private aborted = false;
  private reused = false;
  private readonly retryable: boolean;

  constructor(
    private readonly pool: SocketPool,
    private readonly key: string,
    private readonly connect: Connect,
    private readonly req: OutgoingRequest,
    private readonly h: ResponseHandlers,
  ) {
    this.retryable = req.body === null && RETRYABLE.has(req.method);
  }

  start(): this {
    const idle = this.pool.take(this.key);
    if (idle) this.run(idle, true);
    else this.fresh();
    return this;
  }

  resume(): void {
    this.current?.resume();
  }

  abort(): void {
    this.aborted = true;
    this.current?.abort();
  }

  onHead(head: ResponseHead, framing: Framing): void {
    this.h.onHead(head, framing);
  }

  afterHead(): void {
    this.h.afterHead();
  }

  onBody(chunk: Buffer, payloadBytes: number): boolean {
    return this.h.onBody(chunk, payloadBytes);
  }

  onEnd(): void {
    this.h.onEnd();
  }

  onError(err: Http1Error): void {
    if (this.reused && this.retryable && err.beforeResponse && !this.aborted) return this.fresh();
    this.h.onError(err);
  }

  private run(socket: Socket, reused: boolean): void {
    if (this.aborted) return void socket.destroy();
    this.reused = reused;
    this.current = runExchange(socket, this.req, this, this.finished);
  }

  /** An exchange ended: a clean one gives its socket back to the pool. */
  private readonly finished = (reusable: boolean, socket: Socket) => {
    if (reusable) this.pool.release(this.key, socket);
  };

  private fresh(): void {
    let answered = false;
    this.connect((err, socket) => {
      // A connector that calls back twice (an error after success) must not start a second exchange.
      if (answered) return;
      answered = true;
      if (this.aborted) return void socket?.destroy();
      if (err || !socket) return this.h.onError(new Http1Error(HTTP1_ERROR_CODES.CONNECTION_LOST, 'could not connect', { beforeResponse: true, cause: err }));
      this.run(socket, false);
    });
  }
}

/**
 * @example
 * sendRequest(pool, '127.0.0.1:8080', (done) => connectTcp(done), { method: 'GET', head, body: null }, handlers);
 */
export function sendRequest(pool: SocketPool, key: string, connect: Connect, req: OutgoingRequest, h: ResponseHandlers): SentRequest {
  return new PooledSend(pool, key, connect, req, h).start();
}
