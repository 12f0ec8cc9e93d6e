import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BodyFramer, HTTP1_ERROR_CODES, responseFraming, type Framing } from '../../../src/proxy/http1/index.js';

/** Feed `bytes` in pieces cut at `cuts`; returns where the framer said the body ended (or -1) and the payload count. */
function endOf(framing: Framing, bytes: Buffer, cuts: number[]): { end: number; payload: number } {
  const f = new BodyFramer(framing);
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  let pos = 0;
  for (const stop of [...points, bytes.length]) {
    const piece = bytes.subarray(pos, stop);
    const n = f.feed(piece, 0);
    if (f.done) return { end: pos + n, payload: f.payload };
    assert.equal(n, piece.length, 'an unfinished body takes every byte');
    pos = stop;
  }
  return { end: -1, payload: f.payload };
}

const token = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/);
/** A chunked body (sizes in any case, extensions, trailers) and, as the reference, its length and payload. */
const chunkedBody = fc
  .record({
    chunks: fc.array(fc.record({ data: fc.uint8Array({ minLength: 1, maxLength: 40 }), ext: fc.option(fc.tuple(token, fc.option(token)), { nil: undefined }), upper: fc.boolean() }), { maxLength: 6 }),
    trailers: fc.array(fc.tuple(token, token), { maxLength: 3 }),
    lastExt: fc.boolean(),
  })
  .map(({ chunks, trailers, lastExt }) => {
    const parts: Buffer[] = [];
    let payload = 0;
    for (const c of chunks) {
      const size = c.data.length.toString(16);
      const ext = c.ext ? `;${c.ext[0]}${c.ext[1] ? `=${c.ext[1]}` : ''}` : '';
      parts.push(Buffer.from(`${c.upper ? size.toUpperCase() : size}${ext}\r\n`), Buffer.from(c.data), Buffer.from('\r\n'));
      payload += c.data.length;
    }
    parts.push(Buffer.from(`0${lastExt ? ';last' : ''}\r\n${trailers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`));
    const body = Buffer.concat(parts);
    return { body, payload };
  });

test('the chunked framer finds the reference end for any split of the bytes, and the next request stays untouched', () => {
  fc.assert(
    fc.property(chunkedBody, fc.array(fc.nat(400), { maxLength: 8 }), ({ body, payload }, cuts) => {
      const withNext = Buffer.concat([body, Buffer.from('GET / HTTP/1.1\r\n')]);
      assert.deepEqual(endOf({ kind: 'chunked' }, withNext, cuts), { end: body.length, payload });
    }),
    { numRuns: 300 },
  );
});

test('the chunked framer finds the end when fed one byte at a time', () => {
  fc.assert(fc.property(chunkedBody, ({ body, payload }) => {
    const everyByte = Array.from({ length: body.length }, (_, i) => i);
    assert.deepEqual(endOf({ kind: 'chunked' }, body, everyByte), { end: body.length, payload });
  }), { numRuns: 50 });
});

test('a Content-Length body ends after exactly its length for any split', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), fc.array(fc.nat(400), { maxLength: 8 }), (len, cuts) => {
    const bytes = Buffer.alloc(len + 50, 0x61);
    assert.deepEqual(endOf({ kind: 'length', length: len }, bytes, cuts), { end: len, payload: len });
  }));
});

test('HEAD, 1xx, 204 and 304 have no body whatever the headers say; a response without length runs to close', () => {
  const withLength = { chunked: false, contentLength: 10 };
  assert.deepEqual(responseFraming('HEAD', 200, withLength), { kind: 'none' });
  for (const status of [103, 204, 304]) assert.deepEqual(responseFraming('GET', status, withLength), { kind: 'none' });
  assert.deepEqual(responseFraming('GET', 200, { chunked: false, contentLength: undefined }), { kind: 'close' });
  assert.deepEqual(responseFraming('GET', 200, { chunked: true, contentLength: undefined }), { kind: 'chunked' });
  const close = new BodyFramer({ kind: 'close' });
  assert.equal(close.feed(Buffer.from('abc'), 0), 3);
  assert.equal(close.done, false);
});

test('malformed chunked bodies are refused with MG_HTTP1_UPSTREAM_PROTOCOL', () => {
  for (const bad of ['x\r\n', '3\r\nabcd\r\n', '3\nabc\r\n', '-1\r\n', '1234567890abc\r\n', '0\r\nx\u0001y\r\n\r\n', '0\r\n folded\r\n\r\n', '3;\u0000\r\n']) {
    assert.throws(() => new BodyFramer({ kind: 'chunked' }).feed(Buffer.from(bad, 'latin1'), 0), { code: HTTP1_ERROR_CODES.UPSTREAM_PROTOCOL }, JSON.stringify(bad));
  }
});
