import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { FastResponse } from '../../../src/proxy/http1/index.js';

/** A socket stand-in that records what is written, and whether corked. */
function fakeSocket(): { socket: Socket; writes: string[]; corks: number } {
  const rec = { writes: [] as string[], corks: 0 };
  const s = Object.assign(new EventEmitter(), {
    write: (c: Buffer | string, enc?: BufferEncoding) => (rec.writes.push(typeof c === 'string' ? Buffer.from(c, enc ?? 'utf8').toString('latin1') : c.toString('latin1')), true),
    cork: () => rec.corks++,
    uncork: () => {},
    destroy: () => {},
  });
  return { socket: s as unknown as Socket, ...rec, get corks() { return rec.corks; } };
}

const tick = () => new Promise((r) => process.nextTick(r));

test('an app response head and its small body leave in one write, bytes unchanged', async () => {
  const f = fakeSocket();
  const res = new FastResponse(f.socket, true, { responseDone: () => {} });
  res.writeRawHead(200, [['content-length', '3']], '');
  res.writeRaw(Buffer.from([0x61, 0xff, 0x00]));
  res.endRaw();
  await tick();
  assert.deepEqual(f.writes, ['HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\na\xff\x00']);
});

test('a head whose body does not come with it is written alone at flushHead, and only once', async () => {
  const f = fakeSocket();
  const res = new FastResponse(f.socket, false, { responseDone: () => {} });
  res.writeRawHead(200, [], 'transfer-encoding: chunked\r\n');
  await tick();
  assert.deepEqual(f.writes, [], 'the head waits for body bytes or flushHead, not for a tick');
  res.flushHead();
  assert.deepEqual(f.writes, ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n']);
  res.flushHead();
  res.writeRaw('1\r\nx\r\n');
  assert.deepEqual(f.writes.slice(1), ['1\r\nx\r\n']);
});

test('flushHead after the body took the head along writes nothing more', async () => {
  const f = fakeSocket();
  const res = new FastResponse(f.socket, true, { responseDone: () => {} });
  res.writeRawHead(200, [['content-length', '1']], '');
  res.writeRaw(Buffer.from('a'));
  res.flushHead();
  res.endRaw();
  res.flushHead();
  assert.deepEqual(f.writes, ['HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\na']);
});

test('a large first body chunk is not copied into the head: head and chunk go corked, in order', async () => {
  const f = fakeSocket();
  const res = new FastResponse(f.socket, true, { responseDone: () => {} });
  const big = Buffer.alloc(64 * 1024, 0x62);
  res.writeRawHead(200, [['content-length', String(big.length)]], '');
  res.writeRaw(big);
  assert.equal(f.corks, 1);
  assert.deepEqual(f.writes.map((w) => w.length), [`HTTP/1.1 200 OK\r\ncontent-length: ${big.length}\r\n\r\n`.length, big.length]);
});

test('a response with no body (204, HEAD) writes its head once, at the end', async () => {
  const f = fakeSocket();
  let finished: boolean | undefined;
  const res = new FastResponse(f.socket, true, { responseDone: (ok) => void (finished = ok) });
  res.writeRawHead(204, [], '');
  res.endRaw();
  await tick();
  assert.deepEqual(f.writes, ['HTTP/1.1 204 No Content\r\n\r\n']);
  assert.equal(finished, true);
});

test('a request without a body ends when it is read, not before', async () => {
  const { FastRequest } = await import('../../../src/proxy/http1/index.js');
  const f = fakeSocket();
  const req = new FastRequest({ method: 'GET', target: '/', headers: { host: 'x' }, contentLength: 0, close: false, length: 0 }, f.socket, { pull: () => assert.fail('no body to pull') });
  assert.equal(req.readableEnded, false);
  let ended = false;
  req.on('end', () => (ended = true));
  req.resume();
  await new Promise((r) => setImmediate(r));
  assert.equal(ended, true);
  assert.equal(req.readableEnded, true);
});

test("the response's events: close listeners run once, in order; one added after the close never runs; off removes; other events work as on an emitter", () => {
  const f = fakeSocket();
  const res = new FastResponse(f.socket, true, { responseDone: () => {} });
  const seen: string[] = [];
  const removed = () => seen.push('removed');
  res.once('close', () => seen.push('a'));
  res.on('close', () => seen.push('b'));
  res.once('close', removed);
  res.off('close', removed);
  assert.equal(res.listeners('close').length, 2);
  res.on('x', (v) => seen.push(`x:${String(v)}`));
  res.once('x', (v) => seen.push(`x-once:${String(v)}`));
  assert.equal(res.emit('x', 1), true);
  assert.equal(res.emit('x', 2), true);
  assert.equal(res.emit('y'), false);
  res.writeRawHead(204, [], '');
  res.endRaw();
  res.once('close', () => seen.push('late'));
  res.destroy();
  assert.deepEqual(seen, ['x:1', 'x-once:1', 'x:2', 'a', 'b']);
  assert.deepEqual(res.listeners('close'), []);
});
