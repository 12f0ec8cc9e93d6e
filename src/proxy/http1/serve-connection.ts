/**
 * One downstream HTTP/1.1 connection on the fast path: read a request head
 * with the strict parser, stream its body (Content-Length only) through a
 * `FastRequest`, run the inbound pipeline, and only when the response is done
 * look at the next request (pipelined bytes wait in a buffer, the socket
 * paused). The first head the parser says is "not mine" — and everything
 * after it on that connection — goes to Node's HTTP server, bytes untouched,
 * at that request boundary: odd or hostile requests meet llhttp's rules and
 * can never be read one way here and another way there.
 */
import type { Socket } from 'node:net';
import { parseRequestHead, type RequestHead } from './parse-head.js';
import { FastRequest, FastResponse } from './server-objects.js';

export interface FastConnectionDeps {
  /** `origin` (`/path`, the inbound side) or `absolute` (`http://host/path`, the app's outbound proxy requests). */
  form: 'origin' | 'absolute';
  /** Run one request through the inbound pipeline (`handleRequest` with the pipeline). */
  serve(req: FastRequest, res: FastResponse): void;
  /** A further check of a parsed head; false hands the connection to Node as "not mine" does. */
  accept?(head: RequestHead): boolean;
  /** Give the connection to Node's HTTP server; its buffered bytes are already back in the socket. */
  fallback(socket: Socket): void;
  /** Idle time allowed between requests (and for a head to arrive). */
  keepAliveTimeoutMs: number;
}

/**
 * Serve `socket` (paused, possibly with unread bytes) on the fast path.
 *
 * @example
 * serveFastHttp1(socket, { form: 'origin', serve: (req, res) => handleRequest(handler, state(), port, req, res), fallback, keepAliveTimeoutMs });
 */
export function serveFastHttp1(socket: Socket, deps: FastConnectionDeps): void {
  let buffered: Buffer | undefined;
  /** The request whose body is still arriving; bytes past its end are the next request's. */
  let body: { req: FastRequest; remaining: number } | undefined;
  let busy = false;
  let handedOff = false;

  // The idle timer stays armed for the whole connection (re-arming it twice a request costs more than this
  // check): it fires only after keepAliveTimeoutMs without a read or write, and a request in progress
  // (an app slow to answer, a slow upload) is not idle. The response's own writes re-arm it.
  const onTimeout = () => {
    if (!busy) socket.destroy();
  };
  const stash = (b: Buffer) => {
    buffered = buffered ? Buffer.concat([buffered, b]) : b;
  };
  const feedBody = (chunk: Buffer): Buffer | undefined => {
    const b = body as { req: FastRequest; remaining: number };
    const n = Math.min(chunk.length, b.remaining);
    b.remaining -= n;
    const more = b.req.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    if (b.remaining === 0) {
      b.req.push(null);
      body = undefined;
    } else if (!more) socket.pause();
    return n < chunk.length ? chunk.subarray(n) : undefined;
  };
  const onData = (chunk: Buffer) => {
    const rest = body ? feedBody(chunk) : chunk;
    if (!rest) return;
    stash(rest);
    if (busy) socket.pause(); // a pipelined request waits for the response in progress
    else next();
  };
  const onClose = () => {
    current?.res.connectionClosed();
    if (body) body.req.destroy();
  };
  let current: { req: FastRequest; res: FastResponse } | undefined;

  const handOff = () => {
    handedOff = true;
    socket.off('data', onData);
    socket.off('close', onClose);
    socket.setTimeout(0);
    socket.off('timeout', onTimeout);
    socket.pause();
    if (buffered) socket.unshift(buffered);
    buffered = undefined;
    deps.fallback(socket);
  };

  function next(): void {
    if (!buffered || busy || handedOff) return;
    const parsed = parseRequestHead(buffered, deps.form);
    if (parsed.kind === 'incomplete') return void socket.resume();
    if (parsed.kind !== 'ok' || (deps.accept && !deps.accept(parsed.head))) return handOff();
    const head = parsed.head;
    const rest = buffered.length > head.length ? buffered.subarray(head.length) : undefined;
    buffered = undefined;
    busy = true;
    const req = new FastRequest(head, socket, () => {
      if (body) socket.resume();
    });
    const keepAlive = !head.close;
    const res = new FastResponse(socket, keepAlive, (finished) => done(finished, keepAlive), head.method === 'HEAD');
    current = { req, res };
    if (head.contentLength > 0) body = { req, remaining: head.contentLength };
    else req.push(null);
    if (rest) {
      if (body) {
        const after = feedBody(rest);
        if (after) stash(after);
      } else stash(rest);
    }
    deps.serve(req, res);
    if (body || buffered === undefined) socket.resume();
  }

  function done(finished: boolean, keepAlive: boolean): void {
    current = undefined;
    busy = false;
    // An answer before the whole body arrived (a 401, a 403): the rest of the body would be read as a request; close instead.
    if (!finished || !keepAlive || body) {
      body?.req.destroy();
      body = undefined;
      if (finished) socket.end();
      else socket.destroy();
      return;
    }
    if (buffered) next();
    else socket.resume();
  }

  socket.on('data', onData);
  socket.on('close', onClose);
  socket.on('timeout', onTimeout);
  socket.setTimeout(deps.keepAliveTimeoutMs);
  socket.resume();
}
