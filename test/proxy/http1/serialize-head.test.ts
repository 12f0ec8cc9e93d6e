import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkHeaderPairs, HTTP1_ERROR_CODES, parseRequestHead, parseResponseHead, serializeParsedRequestHead, serializeParsedResponseHead, serializeRequestHead, serializeResponseHead } from '../../../src/proxy/http1/index.js';

test('a serialized request head parses back to the same method, path and headers', () => {
  const text = serializeRequestHead('PUT', '/a/b?c=d', { host: 'web', 'content-length': 3, 'x-list': ['1', '2'] });
  assert.equal(text, 'PUT /a/b?c=d HTTP/1.1\r\nhost: web\r\ncontent-length: 3\r\nx-list: 1\r\nx-list: 2\r\n\r\n');
  const back = parseRequestHead(Buffer.from(serializeRequestHead('PUT', '/a', { host: 'web', 'x-a': 'v' })), 'origin');
  assert.equal(back.kind, 'ok');
  assert.deepEqual(back.kind === 'ok' && back.head.headers, { host: 'web', 'x-a': 'v' });
});

test('a response head gets the standard reason phrase and extra lines before its end', () => {
  assert.equal(serializeResponseHead(404, [['x-a', '1']], 'connection: close\r\n'), 'HTTP/1.1 404 Not Found\r\nx-a: 1\r\nconnection: close\r\n\r\n');
});

test('a value that would start another header line, or a name that is not a token, is never written', () => {
  assert.throws(() => serializeRequestHead('GET', '/', { 'x-a': 'v\r\nx-injected: 1' }), { code: HTTP1_ERROR_CODES.INVALID_HEADER_VALUE });
  assert.throws(() => serializeRequestHead('GET', '/', { 'x-a': 'v\nw' }), { code: HTTP1_ERROR_CODES.INVALID_HEADER_VALUE });
  assert.throws(() => serializeResponseHead(200, [['bad name', 'v']]), { code: HTTP1_ERROR_CODES.INVALID_HEADER_VALUE });
});

test("a response head from the parser's pairs is written as serializeResponseHead writes it, without checking them again", () => {
  const parsed = parseResponseHead(Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nx-list: 1\r\nx-list: 2\r\ncontent-length: 2\r\n\r\nok', 'latin1'));
  assert.equal(parsed.kind, 'ok');
  const pairs = parsed.kind === 'ok' ? parsed.head.headers : [];
  assert.equal(serializeParsedResponseHead(200, pairs, 'x-b: 2\r\n'), serializeResponseHead(200, pairs, 'x-b: 2\r\n'));
  assert.equal(serializeParsedResponseHead(200, pairs), 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nx-list: 1\r\nx-list: 2\r\ncontent-length: 2\r\n\r\n');
});

test('checkHeaderPairs refuses what the serializers refuse (for pairs that did not come from the parser)', () => {
  assert.doesNotThrow(() => checkHeaderPairs([['set-cookie', 'a=1; Path=/'], ['x-a', 'tab\tok']]));
  for (const bad of [[['x-a', 'v\r\nx-injected: 1']], [['x-a', 'v\nw']], [['x-a', 'nul\0']], [['bad name', 'v']], [['x-a:', 'v']]] as Array<Array<[string, string]>>) {
    assert.throws(() => checkHeaderPairs(bad), { code: HTTP1_ERROR_CODES.INVALID_HEADER_VALUE }, JSON.stringify(bad));
  }
});

test("a request head from the parser's headers is written as serializeRequestHead writes it, without checking them again", () => {
  const heads = [
    'GET http://catalog/items HTTP/1.1\r\nHost: catalog\r\nAuthorization: Bearer a.b.c\r\nX-Odd: tab\there  \r\n\r\n',
    "POST http://web:80/a?b=c HTTP/1.1\r\nhost: web:80\r\ncontent-length: 2\r\nx-!#$%&'*+-.^_`|~: v\r\n\r\nok",
  ];
  for (const raw of heads) {
    const parsed = parseRequestHead(Buffer.from(raw, 'latin1'), 'absolute');
    assert.equal(parsed.kind, 'ok', raw);
    if (parsed.kind !== 'ok') continue;
    const { method, target, headers } = parsed.head;
    const extra = { ...headers, 'x-request-id': 'id', 'x-forwarded-proto': 'http' };
    assert.equal(serializeParsedRequestHead(method, target, extra), serializeRequestHead(method, target, extra));
  }
});
