/**
 * One request and its response over one keep-alive connection, bytes moved as
 * they are: the request head (one write, corked with a first body chunk), the
 * request body with backpressure, then the response head parsed and its body
 * handed on chunk by chunk while the framer finds where it ends. The socket is
 * reusable only when both messages ended cleanly, nothing extra arrived and
 * neither side said close.
 *
 * One object per exchange, its event handlers methods rather than closures:
 * this runs for every request on both hops, and a dozen closures per request
 * showed up in the profile.
 */
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { BodyFramer, responseFraming, type Framing } from './body-framer.js';
import { HTTP1_ERROR_CODES, Http1Error } from './errors.js';
import { parseResponseHead, type ResponseHead } from './parse-head.js';
import { setSocketOwner, type SocketOwner } from './socket-owner.js';

export interface OutgoingRequest {
  method: string;
  /** The serialized head (see `serializeRequestHead`). */
  head: string;
  /** Exactly the bytes its Content-Length announced, or null for none. */
  body: Readable | null;
  /** The request said `Connection: close`: the socket is not reused after it. */
  close?: boolean;
}

export interface ResponseHandlers {
  /** The final response head (1xx heads are skipped). */
  onHead(head: ResponseHead, framing: Framing): void;
  /** The body bytes that arrived with the head have been handed on (`onBody`, maybe `onEnd`); more may follow. */
  afterHead(): void;
  /** A piece of the body as received (chunked framing included) and how many payload bytes it holds; false pauses the upstream until `resume()`. */
  onBody(chunk: Buffer, payloadBytes: number): boolean;
  /** The body ended. */
  onEnd(): void;
  /** The exchange failed; `err.beforeResponse` is true when no response byte had arrived. */
  onError(err: Http1Error): void;
}

export interface Exchange {
  /** Resume reading after `onBody` returned false. */
  resume(): void;
  /** Stop (the downstream went away): the socket is destroyed. */
  abort(): void;
}

/** Called once, after `onEnd` or `onError`, with whether the socket may serve another request. */
export type ExchangeFinish = (reusable: boolean, socket: Socket) => void;

function lost(beforeResponse: boolean, cause?: unknown): Http1Error {
  return new Http1Error(HTTP1_ERROR_CODES.CONNECTION_LOST, 'the connection closed before the exchange ended', { beforeResponse, cause });
}

class ExchangeRun implements SocketOwner, Exchange {
  private pending: Buffer | undefined;
  private head: ResponseHead | undefined;
  private framer: BodyFramer | undefined;
  private requestDone: boolean;
  private responseDone = false;
  private over = false;
  /** Request-body listeners, bound once (only requests with a body need them). */
  private bodyListeners: { data(c: Buffer): void; end(): void; error(e: unknown): void; drain(): void } | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly req: OutgoingRequest,
    private readonly h: ResponseHandlers,
    private readonly finishCb: ExchangeFinish,
  ) {
    this.requestDone = req.body === null || req.body.readableEnded;
  }

  start(): this {
    const { socket, req } = this;
    setSocketOwner(socket, this);
    // To a TLS socket as a Buffer (a string is encoded on the stack, then copied again to the heap); to a
    // plain one as the string (written from the stack when the kernel takes it all: no Buffer made).
    if ((socket as Socket & { encrypted?: boolean }).encrypted) socket.write(Buffer.from(req.head, 'latin1'));
    else socket.write(req.head, 'latin1');
    if (req.body && !this.requestDone) this.pipeBody(req.body);
    socket.resume();
    return this;
  }

  resume(): void {
    if (!this.over) this.socket.resume();
  }

  abort(): void {
    this.fail(lost(this.head === undefined));
  }

  // SocketOwner: the socket's events while this exchange holds it.
  data(chunk: Buffer): void {
    try {
      if (this.framer) return this.bodyBytes(chunk, 0);
      this.headBytes(chunk);
    } catch (err) {
      this.fail(err instanceof Http1Error ? err : lost(this.head === undefined, err));
    }
  }

  end(): void {
    const framer = this.framer;
    if (framer?.framing.kind === 'close' && !this.responseDone) {
      framer.done = true;
      this.responseDone = true;
      this.finishResponse();
      return this.h.onEnd();
    }
    this.fail(lost(this.head === undefined));
  }

  close(err?: unknown): void {
    this.fail(lost(this.head === undefined, err));
  }

  private headBytes(chunk: Buffer): void {
    const buf: Buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let offset = 0;
    for (;;) {
      const rest = offset === 0 ? buf : buf.subarray(offset);
      const parsed = parseResponseHead(rest);
      if (parsed.kind === 'incomplete') {
        this.pending = rest;
        return;
      }
      if (parsed.kind !== 'ok') throw new Http1Error(HTTP1_ERROR_CODES.UPSTREAM_PROTOCOL, `malformed response: ${parsed.reason}`, { beforeResponse: true });
      offset += parsed.head.length;
      // 100 Continue, 102, 103 Early Hints: informational; the final response follows. 101 was never asked for.
      if (parsed.head.status === 101) throw new Http1Error(HTTP1_ERROR_CODES.UPSTREAM_PROTOCOL, 'unexpected 101 Switching Protocols', { beforeResponse: true });
      if (parsed.head.status >= 200) {
        this.pending = undefined;
        const head = (this.head = parsed.head);
        const framing = responseFraming(this.req.method, head.status, head);
        this.framer = new BodyFramer(framing);
        this.h.onHead(head, framing);
        if (this.over) return;
        this.bodyBytes(buf, offset);
        return this.h.afterHead();
      }
    }
  }

  private bodyBytes(buf: Buffer, start: number): void {
    const f = this.framer as BodyFramer;
    const before = f.payload;
    const n = f.feed(buf, start);
    if (n > 0 && !this.h.onBody(start === 0 && n === buf.length ? buf : buf.subarray(start, start + n), f.payload - before)) this.socket.pause();
    if (f.done) {
      // Bytes past the end of the response: the peer is not speaking one response per request.
      if (start + n < buf.length) this.head!.close = true;
      this.responseDone = true;
      // The socket goes back to the pool first: the caller may send its next request from inside `onEnd`.
      this.finishResponse();
      this.h.onEnd();
    }
  }

  /** The response ended: reuse the socket only if the request had ended too (an early answer leaves the upload half sent). */
  private finishResponse(): void {
    if (this.over) return;
    this.over = true;
    this.cleanup();
    const head = this.head;
    const reusable = this.requestDone && head !== undefined && !head.close && !this.req.close && this.framer?.framing.kind !== 'close';
    if (!reusable) this.socket.destroy();
    this.finishCb(reusable, this.socket);
  }

  private fail(err: Http1Error): void {
    if (this.over) return;
    this.over = true;
    this.cleanup();
    this.socket.destroy();
    // After a complete response, a broken request upload only costs the socket.
    if (!this.responseDone) this.h.onError(err);
    this.finishCb(false, this.socket);
  }

  private cleanup(): void {
    setSocketOwner(this.socket, undefined);
    const l = this.bodyListeners;
    const body = this.req.body;
    if (l && body) {
      body.off('data', l.data);
      body.off('end', l.end);
      body.off('error', l.error);
      this.socket.off('drain', l.drain);
    }
  }

  private pipeBody(body: Readable): void {
    const socket = this.socket;
    const l = (this.bodyListeners = {
      data: (c: Buffer) => {
        if (!socket.write(c)) {
          body.pause();
          socket.once('drain', l.drain);
        }
      },
      end: () => void (this.requestDone = true),
      error: (err: unknown) => this.fail(lost(this.head === undefined, err)),
      drain: () => void body.resume(),
    });
    body.on('data', l.data);
    body.once('end', l.end);
    body.once('error', l.error);
    body.resume();
  }
}

/**
 * Run one exchange on `socket`. `finish(reusable, socket)` is called once, after
 * `onEnd` or `onError`, with whether the socket may serve another request.
 *
 * @example
 * runExchange(socket, { method: 'GET', head, body: null }, handlers, (ok) => (ok ? pool.release(key, socket) : socket.destroy()));
 */
export function runExchange(socket: Socket, req: OutgoingRequest, h: ResponseHandlers, finish: ExchangeFinish): Exchange {
  return new ExchangeRun(socket, req, h, finish).start();
}
