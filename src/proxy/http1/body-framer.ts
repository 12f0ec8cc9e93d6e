/**
 * Where a message body ends, found while its bytes pass through unchanged:
 * Content-Length, chunked (sizes, extensions, the last chunk, trailers), or
 * "until the connection closes" (responses only). No body at all for a HEAD
 * request's response and for 1xx, 204 and 304 (RFC 9112 §6.3).
 */
import { HTTP1_ERROR_CODES, Http1Error } from './errors.js';

export type Framing = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

/** Chunk sizes above this are refused (12 hex digits: 256 TiB), so sizes stay exact numbers. */
const MAX_SIZE_DIGITS = 12;
/** A chunk-size line with extensions, or one trailer line, longer than this is refused. */
const MAX_LINE_BYTES = 16 * 1024;

/**
 * The framing of a response, from its status and the request's method.
 *
 * @example
 * responseFraming('HEAD', 200, { chunked: false, contentLength: 10 }) // { kind: 'none' }
 */
export function responseFraming(method: string, status: number, head: { chunked: boolean; contentLength: number | undefined }): Framing {
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304) return { kind: 'none' };
  if (head.chunked) return { kind: 'chunked' };
  if (head.contentLength !== undefined) return head.contentLength === 0 ? { kind: 'none' } : { kind: 'length', length: head.contentLength };
  return { kind: 'close' };
}

const enum S { Size, SizeExt, SizeLf, Data, DataCr, DataLf, TrailerStart, Trailer, TrailerLf, FinalLf, Done }

function protocolError(what: string): Http1Error {
  return new Http1Error(HTTP1_ERROR_CODES.UPSTREAM_PROTOCOL, `malformed chunked body: ${what}`);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * Tracks one body. `feed` returns how many bytes of `buf` (from `start`) belong
 * to it; `done` turns true at its last byte; bad chunked syntax throws
 * `MG_HTTP1_UPSTREAM_PROTOCOL`.
 *
 * @example
 * const f = new BodyFramer({ kind: 'chunked' });
 * f.feed(Buffer.from('3\r\nabc\r\n0\r\n\r\nGET'), 0) // 15; f.done === true
 */
export class BodyFramer {
  done: boolean;
  /** Body bytes so far without chunked framing (what a decoded body would count). */
  payload = 0;
  private state = S.Size;
  private remaining: number;
  private digits = 0;
  private lineBytes = 0;
  private readonly chunked: boolean;

  constructor(readonly framing: Framing) {
    this.chunked = framing.kind === 'chunked';
    this.remaining = framing.kind === 'length' ? framing.length : 0;
    this.done = framing.kind === 'none' || (framing.kind === 'length' && framing.length === 0);
  }

  feed(buf: Buffer, start: number): number {
    if (this.done) return 0;
    const avail = buf.length - start;
    if (this.framing.kind === 'close') {
      this.payload += avail;
      return avail;
    }
    if (!this.chunked) {
      const n = Math.min(avail, this.remaining);
      this.remaining -= n;
      this.payload += n;
      if (this.remaining === 0) this.done = true;
      return n;
    }
    let i = start;
    while (i < buf.length && !this.done) {
      if (this.state === S.Data) {
        const n = Math.min(buf.length - i, this.remaining);
        i += n;
        this.remaining -= n;
        this.payload += n;
        if (this.remaining === 0) this.state = S.DataCr;
        continue;
      }
      this.step(buf[i] as number);
      i++;
    }
    return i - start;
  }

  /** One byte outside chunk data. */
  private step(c: number): void {
    switch (this.state) {
      case S.Size: {
        const h = hexValue(c);
        if (h >= 0) {
          if (++this.digits > MAX_SIZE_DIGITS) throw protocolError('chunk size too large');
          this.remaining = this.remaining * 16 + h;
          return;
        }
        if (this.digits === 0) throw protocolError('chunk size expected');
        if (c === 0x0d) this.state = S.SizeLf;
        else if (c === 0x3b /* ; */ || c === 0x20 || c === 0x09) this.state = S.SizeExt;
        else throw protocolError('bad byte after chunk size');
        return;
      }
      case S.SizeExt:
        if (c === 0x0d) this.state = S.SizeLf;
        else if (!(c === 0x09 || (c >= 0x20 && c !== 0x7f)) || ++this.lineBytes > MAX_LINE_BYTES) throw protocolError('bad chunk extension');
        return;
      case S.SizeLf:
        if (c !== 0x0a) throw protocolError('CR without LF');
        this.digits = 0;
        this.lineBytes = 0;
        this.state = this.remaining === 0 ? S.TrailerStart : S.Data;
        return;
      case S.DataCr:
        if (c !== 0x0d) throw protocolError('chunk longer than its size');
        this.state = S.DataLf;
        return;
      case S.DataLf:
        if (c !== 0x0a) throw protocolError('CR without LF');
        this.state = S.Size;
        return;
      case S.TrailerStart:
        if (c === 0x0d) this.state = S.FinalLf;
        else this.trailerByte(c);
        return;
      case S.Trailer:
        if (c === 0x0d) this.state = S.TrailerLf;
        else this.trailerByte(c);
        return;
      case S.TrailerLf:
        if (c !== 0x0a) throw protocolError('CR without LF');
        this.lineBytes = 0;
        this.state = S.TrailerStart;
        return;
      case S.FinalLf:
        if (c !== 0x0a) throw protocolError('CR without LF');
        this.state = S.Done;
        this.done = true;
        return;
      default:
        throw protocolError('state');
    }
  }

  private trailerByte(c: number): void {
    // A trailer line is a header line: no control bytes, no bare LF, no obs-fold continuation.
    const bad = c === 0x7f || (c < 0x20 && c !== 0x09) || (this.state === S.TrailerStart && (c === 0x20 || c === 0x09));
    if (bad || ++this.lineBytes > MAX_LINE_BYTES) throw protocolError('bad trailer line');
    this.state = S.Trailer;
  }
}
