/**
 * A strict HTTP/1.1 head parser for the fast path. It accepts only a common,
 * unambiguous subset and answers `not-mine` for everything else, so that odd
 * or hostile requests are handed, untouched, to Node's own parser (llhttp) and
 * meet its strictness: the fast path can never read a request two ways.
 *
 * Requests: `HTTP/1.1` only; origin-form (`/…`) or absolute-form `http://…`
 * targets of visible ASCII; token methods and header names; values of visible
 * ASCII, SP and HTAB; a Host; at most one Content-Length of digits; no
 * Transfer-Encoding, Upgrade or Expect; `Connection` only keep-alive/close;
 * no header name twice; the head at most 16 KiB.
 *
 * Responses (from the app or a peer sidecar, never handed to Node) are read a
 * little more widely — HTTP/1.0, repeated names (`set-cookie`), obs-text in
 * values — and anything beyond that is an upstream protocol error.
 */

/** Node's default `maxHeaderSize`: a longer head goes to Node, which answers 431. */
export const MAX_HEAD_BYTES = 16 * 1024;
/** Content-Length digits we read as a number exactly (below 2^53). */
const MAX_LENGTH_DIGITS = 15;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');

export type HeaderPairs = Array<[name: string, value: string]>;

export interface RequestHead {
  method: string;
  /** As sent: `/path?q` (origin-form) or `http://host/path` (absolute-form). */
  target: string;
  /** Lowercased names; each appears once (repeats are not ours). */
  headers: Record<string, string>;
  /** Declared body size; 0 when there is no Content-Length. */
  contentLength: number;
  /** The client said `Connection: close`. */
  close: boolean;
  /** Bytes of the head, final CRLF included. */
  length: number;
}

export interface ResponseHead {
  status: number;
  /** `1.1` or `1.0`. */
  minor: 0 | 1;
  headers: HeaderPairs;
  contentLength: number | undefined;
  chunked: boolean;
  /** The peer will close after this response (`Connection: close`, or HTTP/1.0 without keep-alive). */
  close: boolean;
  length: number;
}

export type HeadResult<T> = { kind: 'incomplete' } | { kind: 'not-mine'; reason: string } | { kind: 'ok'; head: T } | { kind: 'invalid'; reason: string };

const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;

function isToken(s: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TOKEN[c] !== 1) return false;
  }
  return true;
}

// One native scan per head instead of a loop per value (a JWT is most of a request head). Line
// ends are CRLF only: a CR not before an LF, or an LF not after a CR, reads differently elsewhere.
const REQUEST_BAD_BYTE = /[^\t\x20-\x7e\r\n]|\r(?!\n)|(?<!\r)\n/;
/** Responses may also carry obs-text (≥ 0x80) in values and in the reason phrase. */
// eslint-disable-next-line no-control-regex -- the control bytes are what it looks for
const RESPONSE_BAD_BYTE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)|(?<!\r)\n/;

const INCOMPLETE = -1;
const NEVER = -2;

/**
 * The head's text without its final CRLFCRLF (so its byte length is
 * `text.length + 4`: latin1 is one char per byte), `INCOMPLETE` if it has not
 * all arrived, or `NEVER` when the bytes so far can never become a head we
 * accept (a bare LF before the end, or too long). The caller checks the
 * complete head's bytes (`*_BAD_BYTE`).
 */
function headText(buf: Buffer): string | typeof INCOMPLETE | typeof NEVER {
  const end = buf.indexOf(CRLFCRLF);
  if (end >= 0) return end + 4 > MAX_HEAD_BYTES ? NEVER : buf.toString('latin1', 0, end);
  if (buf.length > MAX_HEAD_BYTES) return NEVER;
  // A bare LF (no CR before it) ends lines for some parsers and not others: never ours, and said at once
  // (a head of LF line ends would otherwise wait here for a CRLFCRLF that never comes).
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) if (i === 0 || buf[i - 1] !== 13) return NEVER;
  return INCOMPLETE;
}


/**
 * Names most heads carry, by length. A line whose name is one of them gets the constant string: no
 * slice, no lowercase copy, and a string V8 has already hashed and interned, so the header objects and
 * maps keyed by it do not hash a fresh copy per request (that hashing was visible in the profile).
 */
const COMMON_NAMES: (readonly string[] | undefined)[] = [];
for (const name of [
  'host', 'user-agent', 'accept', 'accept-encoding', 'accept-language', 'authorization', 'content-length', 'content-type',
  'connection', 'keep-alive', 'date', 'server', 'cookie', 'set-cookie', 'cache-control', 'etag', 'location', 'vary',
  'x-request-id', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-client-cert', 'x-envoy-upstream-service-time',
  'x-envoy-expected-rq-timeout-ms', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'traceparent',
  'tracestate', 'transfer-encoding',
]) (COMMON_NAMES[name.length] = [...(COMMON_NAMES[name.length] ?? []), name]);

/**
 * The lowercased name of `s[0, colon)`, a token already checked. For token bytes `c | 0x20` equals a
 * lowercase letter, digit or `-` only when `c` is that character in either case, so the comparison is exact.
 */
function headerName(s: string, from: number, colon: number): string {
  const candidates = COMMON_NAMES[colon - from];
  if (candidates) {
    next: for (const known of candidates) {
      for (let i = from; i < colon; i++) if ((s.charCodeAt(i) | 0x20) !== known.charCodeAt(i - from)) continue next;
      return known;
    }
  }
  return s.slice(from, colon).toLowerCase();
}

/**
 * The header line `readHeaderLine` read last. One object for the module, not one per line: parsing
 * is synchronous and the caller copies both fields out before the next line.
 */
const line = { name: '', value: '' };

/**
 * Read the line `text[from, to)` into `line`; false when it is not a strict `name: value` line (its
 * bytes were checked with the whole head).
 */
function readHeaderLine(text: string, from: number, to: number): boolean {
  const colon = text.indexOf(':', from);
  // A space before the colon, an empty name, obs-fold (leading SP/HTAB): the token check refuses them all.
  if (colon <= from || colon >= to || !isToken(text, from, colon)) return false;
  let vFrom = colon + 1;
  let vTo = to;
  while (vFrom < vTo && (text.charCodeAt(vFrom) === 0x20 || text.charCodeAt(vFrom) === 0x09)) vFrom++;
  while (vTo > vFrom && (text.charCodeAt(vTo - 1) === 0x20 || text.charCodeAt(vTo - 1) === 0x09)) vTo--;
  line.name = headerName(text, from, colon);
  line.value = text.slice(vFrom, vTo);
  return true;
}

/** Where the line starting at `from` ends (its CR, or the text's end: the head's last CRLF is not in `text`). */
function lineEnd(text: string, from: number): number {
  const eol = text.indexOf('\r\n', from);
  return eol < 0 ? text.length : eol;
}

/** The three-digit status after `HTTP/1.x `, then the end of the line or a space before the reason; -1 if not. */
function statusCode(text: string, firstLineEnd: number): number {
  const a = text.charCodeAt(9) - 0x30;
  const b = text.charCodeAt(10) - 0x30;
  const c = text.charCodeAt(11) - 0x30;
  if (!(a >= 1 && a <= 9 && b >= 0 && b <= 9 && c >= 0 && c <= 9) || firstLineEnd < 12) return -1;
  if (firstLineEnd > 12 && text.charCodeAt(12) !== 0x20) return -1;
  return a * 100 + b * 10 + c;
}

function lengthOf(v: string): number | undefined {
  if (v.length === 0 || v.length > MAX_LENGTH_DIGITS) return undefined;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
  }
  return Number(v);
}

/** Connection options we understand; anything else (`upgrade`, named headers) is not ours. */
function connectionClose(v: string): boolean | undefined {
  let close = false;
  for (const part of v.split(',')) {
    const t = part.trim().toLowerCase();
    if (t === 'close') close = true;
    else if (t !== 'keep-alive') return undefined;
  }
  return close;
}

const REQUEST_REFUSED = new Set(['transfer-encoding', 'upgrade', 'expect', 'http2-settings']);

/**
 * Parse a request head at the start of `buf`.
 *
 * @example
 * parseRequestHead(Buffer.from('GET /a HTTP/1.1\r\nhost: web\r\n\r\n'), 'origin')
 * // { kind: 'ok', head: { method: 'GET', target: '/a', headers: { host: 'web' }, contentLength: 0, close: false, length: 31 } }
 */
export function parseRequestHead(buf: Buffer, form: 'origin' | 'absolute'): HeadResult<RequestHead> {
  const text = headText(buf);
  if (text === INCOMPLETE) return { kind: 'incomplete' };
  if (text === NEVER) return { kind: 'not-mine', reason: 'bare LF or head too long' };
  const end = text.length + 4;
  if (REQUEST_BAD_BYTE.test(text)) return { kind: 'not-mine', reason: 'a byte outside visible ASCII, SP and HTAB, or a line end other than CRLF' };
  const first = lineEnd(text, 0);
  const sp1 = text.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : text.indexOf(' ', sp1 + 1);
  // Exactly `method SP target SP HTTP/1.1`: a third space lands inside the version and fails the comparison.
  if (sp1 <= 0 || sp2 < 0 || sp2 >= first || first - sp2 !== 9 || !text.startsWith('HTTP/1.1', sp2 + 1) || !isToken(text, 0, sp1)) return { kind: 'not-mine', reason: 'request line' };
  const method = text.slice(0, sp1);
  const target = text.slice(sp1 + 1, sp2);
  if (target.length === 0 || target.includes('\t')) return { kind: 'not-mine', reason: 'request line' };
  const formOk = form === 'origin' ? target.charCodeAt(0) === 0x2f : target.startsWith('http://');
  if (!formOk) return { kind: 'not-mine', reason: 'request target form' };
  // A plain object for the layers (they `delete` and assign); `hasOwn`, so `constructor` or `toString` are names like any other.
  const headers: Record<string, string> = {};
  for (let from = first + 2, i = 1; from < text.length + 2; i++) {
    const to = lineEnd(text, from);
    if (!readHeaderLine(text, from, to) || Object.hasOwn(headers, line.name) || REQUEST_REFUSED.has(line.name)) return { kind: 'not-mine', reason: `header line ${i}` };
    // Assigning `__proto__` would set the prototype (or do nothing): define it as the plain header it is.
    if (line.name === '__proto__') Object.defineProperty(headers, line.name, { value: line.value, enumerable: true, writable: true, configurable: true });
    else headers[line.name] = line.value;
    from = to + 2;
  }
  if (headers.host === undefined) return { kind: 'not-mine', reason: 'no host' };
  const cl = headers['content-length'];
  const contentLength = cl === undefined ? 0 : lengthOf(cl);
  if (contentLength === undefined) return { kind: 'not-mine', reason: 'content-length' };
  const close = headers.connection === undefined ? false : connectionClose(headers.connection);
  if (close === undefined) return { kind: 'not-mine', reason: 'connection' };
  return { kind: 'ok', head: { method, target, headers, contentLength, close, length: end } };
}

/**
 * Parse a response head at the start of `buf` (from the app or a peer sidecar).
 *
 * @example
 * parseResponseHead(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'))
 * // { kind: 'ok', head: { status: 204, minor: 1, headers: [], contentLength: undefined, chunked: false, close: false, length: 27 } }
 */
export function parseResponseHead(buf: Buffer): HeadResult<ResponseHead> {
  const text = headText(buf);
  if (text === INCOMPLETE) return { kind: 'incomplete' };
  if (text === NEVER) return { kind: 'invalid', reason: 'bare LF or head too long' };
  const end = text.length + 4;
  if (RESPONSE_BAD_BYTE.test(text)) return { kind: 'invalid', reason: 'a control byte, or a line end other than CRLF' };
  const first = lineEnd(text, 0);
  const minor = text.startsWith('HTTP/1.1 ') ? 1 : text.startsWith('HTTP/1.0 ') ? 0 : -1;
  const status = statusCode(text, first);
  if (minor < 0 || status < 0) return { kind: 'invalid', reason: 'status line' };
  const headers: HeaderPairs = [];
  let contentLength: number | undefined;
  let chunked = false;
  let close = minor === 0;
  for (let from = first + 2, i = 1; from < text.length + 2; i++) {
    const to = lineEnd(text, from);
    if (!readHeaderLine(text, from, to)) return { kind: 'invalid', reason: `header line ${i}` };
    from = to + 2;
    const l = line;
    if (l.name === 'content-length') {
      const n = lengthOf(l.value);
      if (n === undefined || (contentLength !== undefined && n !== contentLength)) return { kind: 'invalid', reason: 'content-length' };
      contentLength = n;
    } else if (l.name === 'transfer-encoding') {
      if (chunked || l.value.toLowerCase() !== 'chunked') return { kind: 'invalid', reason: 'transfer-encoding' };
      chunked = true;
    } else if (l.name === 'connection') {
      const v = l.value.toLowerCase();
      // What nearly every response says, without the list parsing below.
      if (v === 'keep-alive') {
        if (minor === 0) close = false;
      } else if (/(^|,)\s*close\s*(,|$)/.test(v)) close = true;
      else if (minor === 0 && /(^|,)\s*keep-alive\s*(,|$)/.test(v)) close = false;
    }
    headers.push([l.name, l.value]);
  }
  // Both framings at once is how responses get smuggled: refuse rather than pick one.
  if (chunked && contentLength !== undefined) return { kind: 'invalid', reason: 'content-length with transfer-encoding' };
  return { kind: 'ok', head: { status, minor: minor as 0 | 1, headers, contentLength, chunked, close, length: end } };
}
