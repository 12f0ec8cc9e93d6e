/**
 * The request and response objects of the HTTP/1.1 fast path's server side.
 * They offer what the inbound layers use of Node's `IncomingMessage` and `ServerResponse`
 * (headers, method, url, version; `headersSent`, `statusCode`,
 * `writableFinished`, `writeHead`, `end`, `destroy`, `'close'`), so the same
 * security layers run on both paths, plus the raw-bytes methods the
 * forwarders use to pass an upstream answer through unchanged.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { Readable, type Writable } from 'node:stream';
import type { HeaderPairs, RequestHead } from './parse-head.js';
import { headerLines, serializeParsedResponseHead, serializeResponseHead, type HeaderValue } from './serialize-head.js';

/** Body bytes up to this size are sent in the same write as the response head. */
const MERGE_BODY_BYTES = 16 * 1024;

/**
 * A request read by the fast path. The body (Content-Length bytes) streams
 * through it as a `Readable`, with backpressure down to the socket.
 */
export class FastRequest extends Readable {
  readonly headers: IncomingHttpHeaders;
  readonly method: string;
  readonly url: string;
  readonly httpVersion = '1.1';
  readonly httpVersionMajor = 1;
  readonly httpVersionMinor = 1;
  /** Declared body size (0: none). */
  readonly contentLength: number;

  /** `source.pull()` when the reader wants more body bytes (the connection resumes its socket). */
  constructor(head: RequestHead, readonly socket: Socket, private readonly source: { pull(): void }) {
    super();
    this.headers = head.headers;
    this.method = head.method;
    this.url = head.target;
    this.contentLength = head.contentLength;
  }

  // A request without a body ends when first read, not when it is made: most have none, and ending
  // a stream costs more than the rest of this object (nothing reads a GET's body in the common case).
  override _read(): void {
    if (this.contentLength === 0) this.push(null);
    else this.source.pull();
  }
}

type Listener = (...args: unknown[]) => void;

/**
 * The response's events, without an EventEmitter: building one per request (its listener table is a
 * dictionary-mode object) cost more than the rest of the response. Every request adds three `close`
 * listeners (the access log, the relay, the forwarder); they are kept in a plain array. Other events
 * work the same way, in a table made when first used. As with a stream, a `close` listener added after
 * the close is never called, and each event's listeners run in the order they were added.
 */
class ResponseEmitter {
  /** `close` fires once, so `on` and `once` are the same for it: the functions alone. */
  private closeListeners: Listener[] | undefined;
  private closeEmitted = false;
  private others: Map<string | symbol, Array<{ fn: Listener; once: boolean }>> | undefined;

  private add(event: string | symbol, fn: Listener, once: boolean): this {
    if (event === 'close') {
      if (!this.closeEmitted) (this.closeListeners ??= []).push(fn);
      return this;
    }
    const table = (this.others ??= new Map());
    const list = table.get(event);
    if (list) list.push({ fn, once });
    else table.set(event, [{ fn, once }]);
    return this;
  }

  on(event: string | symbol, listener: Listener): this {
    return this.add(event, listener, false);
  }

  once(event: string | symbol, listener: Listener): this {
    return this.add(event, listener, true);
  }

  off(event: string | symbol, listener: Listener): this {
    if (event === 'close') {
      const i = this.closeListeners ? this.closeListeners.indexOf(listener) : -1;
      if (i >= 0) this.closeListeners?.splice(i, 1);
      return this;
    }
    const list = this.others?.get(event);
    const i = list ? list.findIndex((l) => l.fn === listener) : -1;
    if (list && i >= 0) list.splice(i, 1);
    return this;
  }

  removeListener(event: string | symbol, listener: Listener): this {
    return this.off(event, listener);
  }

  listeners(event: string | symbol): Listener[] {
    if (event === 'close') return [...(this.closeListeners ?? [])];
    return this.others?.get(event)?.map((l) => l.fn) ?? [];
  }

  emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'close') {
      const had = (this.closeListeners?.length ?? 0) > 0;
      this.emitClose();
      return had;
    }
    const list = this.others?.get(event);
    if (!list?.length) return false;
    const now = [...list];
    this.others?.set(event, list.filter((l) => !l.once));
    for (const l of now) l.fn(...args);
    return true;
  }

  emitClose(): void {
    if (this.closeEmitted) return;
    this.closeEmitted = true;
    const listeners = this.closeListeners;
    this.closeListeners = undefined;
    if (listeners) for (const fn of listeners) fn();
  }
}

/**
 * The emitter typed with a stream's event methods: code that calls `r.res.once('close', …)` on the
 * union of Node's response types and this one then type-checks (TypeScript calls a union's method only
 * when every member declares it the same way).
 */
const ResponseEvents = ResponseEmitter as unknown as new () => Pick<Writable, 'on' | 'once' | 'off' | 'emit' | 'removeListener' | 'listeners'> & Pick<ResponseEmitter, 'emitClose'>;

/** Called once when the response ended (`finished`) or the connection went away. */
export interface ResponseDone {
  /** `keepAlive`: the response kept the connection open (the request did not say close). */
  responseDone(finished: boolean, keepAlive: boolean): void;
}

/**
 * The response side: a local reply through `writeHead`/`end` (Node's shape),
 * or the app's response through `writeRawHead`/`writeRaw`/`endRaw`.
 */
export class FastResponse extends ResponseEvents {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  private pending: string | undefined;
  private hasLength = false;
  /** Headers set before `writeHead` (local replies only; made when first set). */
  private extra: Record<string, HeaderValue> | undefined;
  private closed = false;
  /** The app's response head, not yet written (see `writeRawHead`). */
  rawHead: string | undefined;

  /** `head`: the request was HEAD, so a local reply sends its headers (Content-Length included) and no body, as Node's does. */
  constructor(private readonly socket: Socket, private readonly keepAlive: boolean, private readonly done: ResponseDone, private readonly head = false) {
    super();
  }

  setHeader(name: string, value: HeaderValue): this {
    (this.extra ??= {})[name.toLowerCase()] = value;
    return this;
  }

  getHeader(name: string): HeaderValue {
    return this.extra?.[name.toLowerCase()];
  }

  /** Node's `writeHead(status, headers)`; the head goes out with the body at `end`. */
  writeHead(status: number, headers: OutgoingHttpHeaders = {}): this {
    if (this.headersSent) throw new TypeError('FastResponse: headers already sent');
    const all: Record<string, HeaderValue> = { ...this.extra };
    for (const k of Object.keys(headers)) all[k.toLowerCase()] = headers[k];
    this.hasLength = all['content-length'] !== undefined;
    this.statusCode = status;
    this.pending = serializeResponseHead(status, [], headerLines(all) + (this.keepAlive ? '' : 'connection: close\r\n'));
    this.headersSent = true;
    return this;
  }

  /** End a local reply (whole body at once, as `localReply` sends it). */
  end(body?: Buffer | string): this {
    if (this.writableEnded) return this;
    if (!this.headersSent) this.writeHead(this.statusCode);
    const buf = body === undefined ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body) : body;
    let head = this.pending as string;
    if (!this.hasLength) head = head.slice(0, -2) + `content-length: ${buf.length}\r\n\r\n`;
    this.pending = undefined;
    this.socket.write(buf.length && !this.head ? Buffer.concat([Buffer.from(head, 'latin1'), buf]) : Buffer.from(head, 'latin1'));
    this.finish();
    return this;
  }

  /**
   * The app's head, hop-by-hop headers already removed: `pairs` as the parser read them (or
   * passed through `checkHeaderPairs`); `extra` is whole header lines we add.
   * It waits for the first body bytes (or the end) so head and body leave in one write: one
   * TLS record and one syscall instead of two. The caller calls `flushHead` once the bytes that
   * came with the head are handed on, so a head whose body comes later does not wait for it.
   */
  writeRawHead(status: number, pairs: HeaderPairs, extra: string): void {
    this.statusCode = status;
    this.headersSent = true;
    this.rawHead = serializeParsedResponseHead(status, pairs, extra + (this.keepAlive ? '' : 'connection: close\r\n'));
  }

  /** Write the head now if no body byte or end took it along (see `writeRawHead`). */
  flushHead(): void {
    if (this.rawHead !== undefined && !this.writableEnded) this.writeRaw('');
  }

  /** Body bytes as they go on the wire; false: wait for `onDrain`. */
  writeRaw(chunk: Buffer | string): boolean {
    const head = this.rawHead;
    if (head === undefined) return this.socket.write(chunk);
    this.rawHead = undefined;
    if (typeof chunk === 'string') return this.socket.write(head + chunk, 'latin1');
    // A small body rides with the head in one buffer (one TLS record, one write); a large one is not copied. A
    // buffer, not a string: a string written to a TLS socket is encoded on the stack, then copied again to the heap.
    if (chunk.length <= MERGE_BODY_BYTES) {
      const out = Buffer.allocUnsafe(head.length + chunk.length);
      out.write(head, 0, 'latin1');
      chunk.copy(out, head.length);
      return this.socket.write(out);
    }
    this.socket.cork();
    this.socket.write(head, 'latin1');
    const ok = this.socket.write(chunk);
    this.socket.uncork();
    return ok;
  }

  onDrain(cb: () => void): void {
    this.socket.once('drain', cb);
  }

  endRaw(): void {
    if (this.rawHead !== undefined) this.writeRaw('');
    if (!this.writableEnded) this.finish();
  }

  addTrailers(): void {
    // HTTP/1.1 trailers are only for gRPC local replies, and gRPC never takes the fast path.
  }

  /** Reset the connection (Node's `res.destroy()`): the client sees the response cut. */
  destroy(): this {
    this.socket.destroy();
    this.closeNow(false);
    return this;
  }

  /** The connection closed under us. */
  connectionClosed(): void {
    this.closeNow(false);
  }

  /** The response closed without finishing (the client went away, or `destroy`). */
  get connectionLost(): boolean {
    return this.closed && !this.writableFinished;
  }

  private finish(): void {
    this.writableEnded = true;
    this.writableFinished = true;
    this.closeNow(true);
  }

  private closeNow(finished: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.emitClose();
    this.done.responseDone(finished, this.keepAlive);
  }
}
