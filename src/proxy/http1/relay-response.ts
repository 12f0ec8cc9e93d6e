/**
 * An upstream response passed on to a fast-path client: the head re-written
 * (the caller picks the headers: hop-by-hop ones removed), the body bytes
 * unchanged and with backpressure both ways. A close-delimited body is sent
 * chunked, so the client's keep-alive connection survives it.
 */
import type { Framing } from './body-framer.js';
import type { Http1Error } from './errors.js';
import type { ResponseHandlers } from './exchange.js';
import type { HeaderPairs, ResponseHead } from './parse-head.js';
import type { SentRequest } from './send-request.js';
import type { FastResponse } from './server-objects.js';

const LAST_CHUNK = '0\r\n\r\n';
const CRLF = Buffer.from('\r\n', 'latin1');

export interface RelayHooks {
  /** The head arrived: return the headers the client gets. */
  head(head: ResponseHead, framing: Framing): HeaderPairs;
  /** Body payload bytes passed on (chunk framing not counted). */
  body?(payloadBytes: number): void;
  /** The response was passed on whole. */
  end(): void;
  /** The exchange failed (see `Http1Error.beforeResponse`). */
  error(err: Http1Error): void;
}

/** The handlers `sendRequest` calls, writing to the client's response; one object per request. */
export class ResponseRelay implements ResponseHandlers {
  private sent: SentRequest | undefined;
  /** A close-delimited body, sent on chunked. */
  private rechunk = false;

  constructor(
    private readonly res: FastResponse,
    private readonly hooks: RelayHooks,
  ) {}

  /** `sendRequest`'s handle: its `resume` after a drain, its `abort` when the client goes away first. */
  bind(s: SentRequest): void {
    this.sent = s;
    // The client went away: stop the upstream exchange too (its socket is closed, never reused).
    this.res.once('close', () => {
      if (!this.res.writableFinished) s.abort();
    });
  }

  onHead(head: ResponseHead, framing: Framing): void {
    const pairs = this.hooks.head(head, framing);
    this.rechunk = framing.kind === 'close';
    const chunked = framing.kind === 'chunked' || this.rechunk;
    this.res.writeRawHead(head.status, pairs, chunked ? 'transfer-encoding: chunked\r\n' : '');
  }

  // The head waited for body bytes that came with it (one write); whatever did not come goes later, alone.
  afterHead(): void {
    this.res.flushHead();
  }

  onBody(chunk: Buffer, payloadBytes: number): boolean {
    this.hooks.body?.(payloadBytes);
    const res = this.res;
    // One write per chunk (three would be three TLS records once the head has gone).
    const ok = res.writeRaw(this.rechunk ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, CRLF]) : chunk);
    if (!ok) res.onDrain(() => this.sent?.resume());
    return ok;
  }

  onEnd(): void {
    if (this.rechunk) this.res.writeRaw(LAST_CHUNK);
    this.res.endRaw();
    this.hooks.end();
  }

  onError(err: Http1Error): void {
    this.hooks.error(err);
  }
}

/**
 * Handlers for `sendRequest` that write to `res` (pass the relay itself); call `bind` with what `sendRequest` returned.
 *
 * @example
 * const relay = relayResponse(res, hooks);
 * relay.bind(sendRequest(pool, key, connect, req, relay));
 */
export function relayResponse(res: FastResponse, hooks: RelayHooks): ResponseRelay {
  return new ResponseRelay(res, hooks);
}
