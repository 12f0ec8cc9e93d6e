import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MAX_HEAD_BYTES, parseRequestHead, parseResponseHead } from '../../../src/proxy/http1/index.js';

const req = (s: string) => parseRequestHead(Buffer.from(s, 'latin1'), 'origin');
const GOOD = 'POST /api/items?x=1 HTTP/1.1\r\nHost: web\r\nContent-Length: 5\r\nX-Thing:  padded value \t\r\nConnection: keep-alive\r\n\r\n';

test('a common request head is parsed with lowercased names, trimmed values and its byte length', () => {
  const r = req(`${GOOD}hello`);
  assert.equal(r.kind, 'ok');
  if (r.kind !== 'ok') return;
  assert.deepEqual(r.head.headers, { host: 'web', 'content-length': '5', 'x-thing': 'padded value', connection: 'keep-alive' });
  assert.deepEqual([r.head.method, r.head.target, r.head.contentLength, r.head.close, r.head.length], ['POST', '/api/items?x=1', 5, false, GOOD.length]);
});

test('every strict prefix of a head is incomplete, never accepted or refused early', () => {
  for (let i = 0; i < GOOD.length; i++) assert.equal(req(GOOD.slice(0, i)).kind, 'incomplete', `prefix of ${i} bytes`);
});

test('Connection: close is seen; absolute-form is taken only where asked for', () => {
  const close = req('GET / HTTP/1.1\r\nhost: a\r\nconnection: Close\r\n\r\n');
  assert.equal(close.kind === 'ok' && close.head.close, true);
  const abs = 'GET http://catalog/items HTTP/1.1\r\nhost: catalog\r\n\r\n';
  assert.equal(req(abs).kind, 'not-mine');
  assert.equal(parseRequestHead(Buffer.from(abs), 'absolute').kind, 'ok');
  assert.equal(parseRequestHead(Buffer.from('GET /items HTTP/1.1\r\nhost: c\r\n\r\n'), 'absolute').kind, 'not-mine');
});

// Each of these is read differently by some parser somewhere (request smuggling), or is simply not
// the common subset: the fast path must hand it to Node's parser untouched.
const NOT_MINE: Record<string, string> = {
  'Content-Length and Transfer-Encoding': 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n',
  'Transfer-Encoding on a request': 'POST / HTTP/1.1\r\nhost: a\r\ntransfer-encoding: chunked\r\n\r\n',
  'two Content-Lengths': 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 3\r\ncontent-length: 3\r\n\r\n',
  'a Content-Length with a sign': 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: +3\r\n\r\n',
  'a Content-Length list': 'POST / HTTP/1.1\r\nhost: a\r\ncontent-length: 3, 3\r\n\r\n',
  'obs-fold': 'GET / HTTP/1.1\r\nhost: a\r\nx-a: 1\r\n  folded\r\n\r\n',
  'a bare LF': 'GET / HTTP/1.1\nhost: a\r\n\r\n',
  'a bare LF ending the head': 'GET / HTTP/1.1\r\nhost: a\n\n',
  'a bare CR in a value': 'GET / HTTP/1.1\r\nhost: a\r\nx-a: 1\r2\r\n\r\n',
  'a space before the colon': 'GET / HTTP/1.1\r\nhost: a\r\ncontent-length : 3\r\n\r\n',
  'a NUL in a value': 'GET / HTTP/1.1\r\nhost: a\r\nx-a: 1\u00002\r\n\r\n',
  'non-ASCII in a value': 'GET / HTTP/1.1\r\nhost: a\r\nx-a: caf\u00e9\r\n\r\n',
  'non-ASCII in the target': 'GET /caf\u00e9 HTTP/1.1\r\nhost: a\r\n\r\n',
  'HTTP/1.0': 'GET / HTTP/1.0\r\nhost: a\r\n\r\n',
  'HTTP/2 preface': 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
  'a TLS ClientHello': '\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003\r\n\r\n',
  'Upgrade': 'GET / HTTP/1.1\r\nhost: a\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n',
  'Expect': 'POST / HTTP/1.1\r\nhost: a\r\nexpect: 100-continue\r\ncontent-length: 1\r\n\r\n',
  'Connection naming a header': 'GET / HTTP/1.1\r\nhost: a\r\nconnection: x-secret\r\n\r\n',
  'a repeated header name': 'GET / HTTP/1.1\r\nhost: a\r\nx-a: 1\r\nX-A: 2\r\n\r\n',
  'no Host': 'GET / HTTP/1.1\r\nx-a: 1\r\n\r\n',
  'two spaces in the request line': 'GET  / HTTP/1.1\r\nhost: a\r\n\r\n',
  'a method that is not a token': 'G(T / HTTP/1.1\r\nhost: a\r\n\r\n',
  'asterisk-form': 'OPTIONS * HTTP/1.1\r\nhost: a\r\n\r\n',
  'an empty header name': 'GET / HTTP/1.1\r\nhost: a\r\n: v\r\n\r\n',
  'a head over 16 KiB': `GET / HTTP/1.1\r\nhost: a\r\nx-big: ${'a'.repeat(MAX_HEAD_BYTES)}\r\n\r\n`,
};

for (const [name, text] of Object.entries(NOT_MINE)) {
  test(`a request with ${name} is not the fast path's`, () => {
    assert.equal(req(text).kind, 'not-mine');
  });
}

test('an endless head is refused once past 16 KiB, before its end arrives', () => {
  assert.equal(req(`GET / HTTP/1.1\r\nx-a: ${'a'.repeat(MAX_HEAD_BYTES)}`).kind, 'not-mine');
  assert.equal(req(`GET / HTTP/1.1\r\nx-a: ${'a'.repeat(1000)}`).kind, 'incomplete');
});

test('random header values are accepted exactly when they are visible ASCII, SP and HTAB', () => {
  fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 20 }), (v) => {
    const r = req(`GET / HTTP/1.1\r\nhost: a\r\nx-v: ${v}\r\n\r\n`);
    const clean = [...v].every((c) => c === '\t' || (c >= ' ' && c <= '~'));
    if (clean) return r.kind === 'ok' && r.head.headers['x-v'] === v.replace(/^[ \t]+|[ \t]+$/g, '');
    // A CR LF pair inside the value makes another (possibly valid) header line; anything else is refused.
    return v.includes('\r\n') || r.kind === 'not-mine';
  }));
});

test('a response head: status, repeated names kept in order, framing facts', () => {
  const r = parseResponseHead(Buffer.from('HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n'));
  assert.equal(r.kind, 'ok');
  if (r.kind !== 'ok') return;
  assert.deepEqual([r.head.status, r.head.chunked, r.head.contentLength, r.head.close], [200, true, undefined, true]);
  assert.deepEqual(r.head.headers.filter(([n]) => n === 'set-cookie'), [['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
  const old = parseResponseHead(Buffer.from('HTTP/1.0 204\r\n\r\n'));
  assert.equal(old.kind === 'ok' && old.head.close, true, 'HTTP/1.0 closes unless it says keep-alive');
});

test('a response with both framings, conflicting lengths or a bad status line is invalid', () => {
  for (const text of [
    'HTTP/1.1 200 OK\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n',
    'HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\n',
    'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n',
    'HTTP/1.1 20 OK\r\n\r\n',
    'HTTP/2 200 OK\r\n\r\n',
    'HTTP/1.1 200 OK\r\nx-a:\u0001\r\n\r\n',
  ]) assert.equal(parseResponseHead(Buffer.from(text, 'latin1')).kind, 'invalid', JSON.stringify(text));
});

test('headers named like Object members are plain headers: kept as own values, never a prototype, and a repeat is still not ours', () => {
  const r = req('GET / HTTP/1.1\r\nhost: a\r\n__proto__: x\r\nconstructor: y\r\ntoString: z\r\n\r\n');
  assert.equal(r.kind, 'ok');
  if (r.kind !== 'ok') return;
  assert.equal(Object.getPrototypeOf(r.head.headers), Object.prototype);
  assert.deepEqual(Object.entries(r.head.headers), [['host', 'a'], ['__proto__', 'x'], ['constructor', 'y'], ['tostring', 'z']]);
  assert.equal(req('GET / HTTP/1.1\r\nhost: a\r\n__proto__: x\r\n__proto__: y\r\n\r\n').kind, 'not-mine');
  assert.equal(req('GET / HTTP/1.1\r\nhost: a\r\nconstructor: x\r\nConstructor: y\r\n\r\n').kind, 'not-mine');
});

test('names are lowercased exactly, whether or not they are among the common ones, in any case', () => {
  const r = req('GET / HTTP/1.1\r\nHOST: a\r\nX-Request-ID: b\r\nCONTENT-length: 0\r\nHosu: c\r\nX-Request-Ic: d\r\nAuthorizatioN: e\r\nx-b3-SPANID: f\r\n\r\n');
  assert.equal(r.kind, 'ok');
  if (r.kind !== 'ok') return;
  assert.deepEqual(r.head.headers, { host: 'a', 'x-request-id': 'b', 'content-length': '0', hosu: 'c', 'x-request-ic': 'd', authorization: 'e', 'x-b3-spanid': 'f' });
  const res = parseResponseHead(Buffer.from('HTTP/1.1 200 OK\r\nSet-Cookie: a\r\nSET-COOKIE: b\r\nContent-Type: t\r\nContent-Typf: u\r\n\r\n', 'latin1'));
  assert.equal(res.kind, 'ok');
  if (res.kind === 'ok') assert.deepEqual(res.head.headers, [['set-cookie', 'a'], ['set-cookie', 'b'], ['content-type', 't'], ['content-typf', 'u']]);
});

test('random token names come back lowercased, as a plain toLowerCase would give them', () => {
  const tokenChar = fc.constantFrom(..."!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split(''));
  const known = fc.constantFrom('host', 'Content-Length', 'X-REQUEST-ID', 'user-agent', 'X-Forwarded-For');
  // Names near the common ones (same length, a character changed) as well as arbitrary tokens.
  const name = fc.oneof(fc.string({ unit: tokenChar, minLength: 1, maxLength: 24 }), fc.tuple(known, fc.nat(), tokenChar).map(([k, i, c]) => k.slice(0, i % k.length) + c + k.slice((i % k.length) + 1)));
  fc.assert(fc.property(name, (n) => {
    const lower = n.toLowerCase();
    fc.pre(!['host', 'content-length', 'transfer-encoding', 'upgrade', 'expect', 'http2-settings', 'connection', '__proto__'].includes(lower));
    const r = req(`GET / HTTP/1.1\r\nHost: h\r\n${n}: v\r\n\r\n`);
    return r.kind === 'ok' && r.head.headers[lower] === 'v' && Object.keys(r.head.headers).length === 2;
  }), { numRuns: 2000 });
});
