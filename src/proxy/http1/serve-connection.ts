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

/** The connection's state, on its socket under this symbol: the socket's listeners are module functions, not closures per connection. */
const FAST = Symbol('meshguard.fastConnection');
type FastSocket = Socket & { [FAST]?: FastConnection };

function onFastData(this: FastSocket, chunk: Buffer): void {
  this[FAST]?.onData(chunk);
}

function onFastClose(this: FastSocket): void {
  this[FAST]?.onClose();
}

function onFastTimeout(this: FastSocket): void {
  this[FAST]?.onTimeout();
}

/** The request whose body is still arriving; bytes past its end are the next request's. */
interface BodyInProgress {
  req: FastRequest;
  remaining: number;
}

class FastConnection {
  private buffered: Buffer | undefined;
  private body: BodyInProgress | undefined;
  private busy = false;
  private handedOff = false;
  private current: { req: FastRequest; res: FastResponse } | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly deps: FastConnectionDeps,
  ) {}

  // The idle timer stays armed for the whole connection (re-arming it twice a request costs more than this
  // check): it fires only after keepAliveTimeoutMs without a read or write, and a request in progress
  // (an app slow to answer, a slow upload) is not idle. The response's own writes re-arm it.
  onTimeout(): void {
    if (!this.busy) this.socket.destroy();
  }

  onData(chunk: Buffer): void {
    const rest = this.body ? this.feedBody(chunk) : chunk;
    if (!rest) return;
    this.stash(rest);
    if (this.busy) this.socket.pause(); // a pipelined request waits for the response in progress
    else this.next();
  }

  onClose(): void {
    this.current?.res.connectionClosed();
    if (this.body) this.body.req.destroy();
  }

  /** FastRequest's `_read`: the app's side wants more of the body. */
  pull(): void {
    if (this.body) this.socket.resume();
  }

  private stash(b: Buffer): void {
    this.buffered = this.buffered ? Buffer.concat([this.buffered, b]) : b;
  }

  private feedBody(chunk: Buffer): Buffer | undefined {
    const b = this.body as BodyInProgress;
    const n = Math.min(chunk.length, b.remaining);
    b.remaining -= n;
    const more = b.req.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    if (b.remaining === 0) {
      b.req.push(null);
      this.body = undefined;
    } else if (!more) this.socket.pause();
    return n < chunk.length ? chunk.subarray(n) : undefined;
  }

  private handOff(): void {
    const socket = this.socket;
    this.handedOff = true;
    socket.off('data', onFastData);
    socket.off('close', onFastClose);
    socket.setTimeout(0);
    socket.off('timeout', onFastTimeout);
    delete (socket as FastSocket)[FAST];
    socket.pause();
    if (this.buffered) socket.unshift(this.buffered);
    this.buffered = undefined;
    this.deps.fallback(socket);
  }

  next(): void {
    if (!this.buffered || this.busy || this.handedOff) return;
    const { socket, deps } = this;
    const parsed = parseRequestHead(this.buffered, deps.form);
    if (parsed.kind === 'incomplete') return void socket.resume();
    if (parsed.kind !== 'ok' || (deps.accept && !deps.accept(parsed.head))) return this.handOff();
    const head = parsed.head;
    const rest = this.buffered.length > head.length ? this.buffered.subarray(head.length) : undefined;
    this.buffered = undefined;
    this.busy = true;
    const req = new FastRequest(head, socket, this);
    const res = new FastResponse(socket, !head.close, this, head.method === 'HEAD');
    this.current = { req, res };
    if (head.contentLength > 0) this.body = { req, remaining: head.contentLength };
    if (rest) {
      if (this.body) {
        const after = this.feedBody(rest);
        if (after) this.stash(after);
      } else this.stash(rest);
    }
    deps.serve(req, res);
    if (this.body || this.buffered === undefined) socket.resume();
  }

  /** FastResponse's end: `finished` false when the connection went away first. */
  responseDone(finished: boolean, keepAlive: boolean): void {
    const socket = this.socket;
    this.current = undefined;
    this.busy = false;
    // An answer before the whole body arrived (a 401, a 403): the rest of the body would be read as a request; close instead.
    if (!finished || !keepAlive || this.body) {
      this.body?.req.destroy();
      this.body = undefined;
      if (finished) socket.end();
      else socket.destroy();
      return;
    }
    if (this.buffered) this.next();
    else socket.resume();
  }
}

/**
 * Serve `socket` (paused, possibly with unread bytes) on the fast path.
 *
 * @example
 * serveFastHttp1(socket, { form: 'origin', serve: (req, res) => handleRequest(handler, state(), port, req, res), fallback, keepAliveTimeoutMs });
 */
export function serveFastHttp1(socket: Socket, deps: FastConnectionDeps): void {
  (socket as FastSocket)[FAST] = new FastConnection(socket, deps);
  socket.on('data', onFastData);
  socket.on('close', onFastClose);
  socket.on('timeout', onFastTimeout);
  socket.setTimeout(deps.keepAliveTimeoutMs);
  socket.resume();
}
