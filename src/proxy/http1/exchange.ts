/**
 * One request and its response over one keep-alive connection, bytes moved as
 * they are: the request head (one write, corked with a first body chunk), the
 * request body with backpressure, then the response head parsed and its body
 * handed on chunk by chunk while the framer finds where it ends. The socket is
 * reusable only when both messages ended cleanly, nothing extra arrived and
 * neither side said close.
 */
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { BodyFramer, responseFraming, type Framing } from './body-framer.js';
import { HTTP1_ERROR_CODES, Http1Error } from './errors.js';
import { parseResponseHead, type ResponseHead } from './parse-head.js';
import { setSocketOwner } from './socket-owner.js';

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

function lost(beforeResponse: boolean, cause?: unknown): Http1Error {
  return new Http1Error(HTTP1_ERROR_CODES.CONNECTION_LOST, 'the connection closed before the exchange ended', { beforeResponse, cause });
}

/**
 * Run one exchange on `socket`. `finish(reusable)` is called once, after
 * `onEnd` or `onError`, with whether the socket may serve another request.
 *
 * @example
 * runExchange(socket, { method: 'GET', head, body: null }, handlers, (ok) => (ok ? pool.release(key, socket) : socket.destroy()));
 */
export function runExchange(socket: Socket, req: OutgoingRequest, h: ResponseHandlers, finish: (reusable: boolean) => void): Exchange {
  let pending: Buffer | undefined;
  let head: ResponseHead | undefined;
  let framer: BodyFramer | undefined;
  let requestDone = req.body === null || req.body.readableEnded;
  let responseDone = false;
  let over = false;

  const cleanup = () => {
    setSocketOwner(socket, undefined);
    if (req.body) {
      req.body.off('data', onReqData);
      req.body.off('end', onReqEnd);
      req.body.off('error', onReqError);
      socket.off('drain', onDrain);
    }
  };
  const fail = (err: Http1Error) => {
    if (over) return;
    over = true;
    cleanup();
    socket.destroy();
    // After a complete response, a broken request upload only costs the socket.
    if (!responseDone) h.onError(err);
    finish(false);
  };
  /** The response ended: reuse the socket only if the request had ended too (an early answer leaves the upload half sent). */
  const finishResponse = () => {
    if (over) return;
    over = true;
    cleanup();
    const reusable = requestDone && head !== undefined && !head.close && !req.close && framer?.framing.kind !== 'close';
    if (!reusable) socket.destroy();
    finish(reusable);
  };
  const onBodyBytes = (buf: Buffer, start: number) => {
    const f = framer as BodyFramer;
    const before = f.payload;
    const n = f.feed(buf, start);
    if (n > 0 && !h.onBody(start === 0 && n === buf.length ? buf : buf.subarray(start, start + n), f.payload - before)) socket.pause();
    if (f.done) {
      // Bytes past the end of the response: the peer is not speaking one response per request.
      if (start + n < buf.length) head!.close = true;
      responseDone = true;
      // The socket goes back to the pool first: the caller may send its next request from inside `onEnd`.
      finishResponse();
      h.onEnd();
    }
  };
  function onData(chunk: Buffer): void {
    try {
      if (framer) return onBodyBytes(chunk, 0);
      const buf: Buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
      let offset = 0;
      for (;;) {
        const rest = offset === 0 ? buf : buf.subarray(offset);
        const parsed = parseResponseHead(rest);
        if (parsed.kind === 'incomplete') {
          pending = rest;
          return;
        }
        if (parsed.kind !== 'ok') throw new Http1Error(HTTP1_ERROR_CODES.UPSTREAM_PROTOCOL, `malformed response: ${parsed.reason}`, { beforeResponse: true });
        offset += parsed.head.length;
        // 100 Continue, 102, 103 Early Hints: informational; the final response follows. 101 was never asked for.
        if (parsed.head.status === 101) throw new Http1Error(HTTP1_ERROR_CODES.UPSTREAM_PROTOCOL, 'unexpected 101 Switching Protocols', { beforeResponse: true });
        if (parsed.head.status >= 200) {
          pending = undefined;
          head = parsed.head;
          const framing = responseFraming(req.method, head.status, head);
          framer = new BodyFramer(framing);
          h.onHead(head, framing);
          if (over) return;
          return onBodyBytes(buf, offset);
        }
      }
    } catch (err) {
      fail(err instanceof Http1Error ? err : lost(head === undefined, err));
    }
  }
  function onEnd(): void {
    if (framer?.framing.kind === 'close' && !responseDone) {
      framer.done = true;
      responseDone = true;
      finishResponse();
      return h.onEnd();
    }
    fail(lost(head === undefined));
  }
  function onClose(err?: unknown): void {
    fail(lost(head === undefined, err));
  }
  function onReqData(c: Buffer): void {
    if (!socket.write(c)) {
      req.body!.pause();
      socket.once('drain', onDrain);
    }
  }
  function onDrain(): void {
    req.body?.resume();
  }
  function onReqEnd(): void {
    requestDone = true;
  }
  function onReqError(err: unknown): void {
    fail(lost(head === undefined, err));
  }

  setSocketOwner(socket, { data: onData, end: onEnd, close: onClose });
  socket.write(req.head, 'latin1');
  if (req.body && !requestDone) {
    req.body.on('data', onReqData);
    req.body.once('end', onReqEnd);
    req.body.once('error', onReqError);
    req.body.resume();
  }
  socket.resume();
  return {
    resume: () => {
      if (!over) socket.resume();
    },
    abort: () => fail(lost(head === undefined)),
  };
}
