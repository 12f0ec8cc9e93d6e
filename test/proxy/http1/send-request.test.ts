// The fast path's client over real loopback sockets: pooled reuse, the one
// retry a stale keep-alive socket allows, framing of HEAD / 204 / 304 /
// close-delimited answers, and a 1 MB body each way with backpressure.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, test } from 'node:test';
import { createSocketPool, HTTP1_ERROR_CODES, sendRequest, serializeRequestHead, type Connect, type Framing, type Http1Error } from '../../../src/proxy/http1/index.js';
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';

type Script = (socket: net.Socket, requestIndex: number, raw: string) => void;

/** A raw server: each request head (and Content-Length body) it reads is answered by `script`. */
async function rawServer(script: Script): Promise<{ port: number; connections: number; requests: string[] }> {
  const state = { port: 0, connections: 0, requests: [] as string[] };
  const server = net.createServer((socket) => {
    state.connections++;
    let buf = Buffer.alloc(0);
    let n = 0;
    socket.on('error', () => {});
    socket.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.toString('latin1', 0, end);
        const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        buf = buf.subarray(end + 4 + len);
        state.requests.push(head.split('\r\n')[0] as string);
        script(socket, n++, head);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => server.close());
  state.port = (server.address() as net.AddressInfo).port;
  return state;
}

const connectTo = (port: number): Connect => (done) => {
  const s = net.connect({ port, host: '127.0.0.1', noDelay: true });
  const failed = (e: Error) => done(e, null);
  s.once('error', failed);
  s.once('connect', () => {
    s.off('error', failed);
    s.on('error', () => {});
    done(null, s);
  });
};

interface Result { status?: number; framing?: Framing; body: Buffer; error?: Http1Error }

function send(pool: ReturnType<typeof createSocketPool>, port: number, method: string, path: string, body?: Buffer | Readable, opts: { slowReader?: boolean } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const out: Result = { body: Buffer.alloc(0) };
    const chunks: Buffer[] = [];
    const length = body === undefined ? 0 : Buffer.isBuffer(body) ? body.length : 1 << 20;
    const head = serializeRequestHead(method, path, { host: 'x', ...(length ? { 'content-length': length } : {}) });
    const stream = body === undefined ? null : Buffer.isBuffer(body) ? Object.assign(new PassThrough(), {}).end(body) as PassThrough : body;
    let paused = 0;
    const sent = sendRequest(pool, `127.0.0.1:${port}`, connectTo(port), { method, head, body: stream }, {
      onHead: (h, framing) => Object.assign(out, { status: h.status, framing }),
      afterHead: () => {},
      onBody: (c) => {
        chunks.push(c);
        if (opts.slowReader && paused++ % 4 === 0) {
          setTimeout(() => sent.resume(), 1);
          return false;
        }
        return true;
      },
      onEnd: () => resolve({ ...out, body: Buffer.concat(chunks) }),
      onError: (error) => resolve({ ...out, body: Buffer.concat(chunks), error }),
    });
  });
}

const pool = () => {
  const p = createSocketPool({ maxIdlePerKey: 4, idleTimeoutMs: 2000 });
  after(() => p.close());
  return p;
};

test('sequential requests reuse one pooled connection', async () => {
  const srv = await rawServer((s) => s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
  const p = pool();
  for (let i = 0; i < 5; i++) assert.equal((await send(p, srv.port, 'GET', `/${i}`)).body.toString(), 'ok');
  assert.equal(srv.connections, 1);
  assert.equal(p.idleCount(), 1);
});

test('a GET that fails on a reused socket before any response byte is retried once on a new connection; a POST is not', async () => {
  // The first request on each connection is answered; a second one on it finds the connection closed (as a peer's idle timeout would).
  const srv = await rawServer((s, n) => (n === 0 ? s.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok') : s.destroy()));
  const p = pool();
  assert.equal((await send(p, srv.port, 'GET', '/warm')).status, 200);
  const get = await send(p, srv.port, 'GET', '/again');
  assert.equal(get.status, 200, 'the retried GET succeeds');
  assert.equal(srv.connections, 2);
  const post = await send(p, srv.port, 'POST', '/change', Buffer.from('abc'));
  assert.equal(post.error?.code, HTTP1_ERROR_CODES.CONNECTION_LOST);
  assert.equal(post.error?.beforeResponse, true);
  assert.equal(srv.connections, 2, 'no new connection for the POST');
  assert.deepEqual(srv.requests.filter((r) => r.startsWith('POST')), ['POST /change HTTP/1.1'], 'the POST reached the server once');
});

test('a GET on a fresh connection that fails is not retried', async () => {
  const srv = await rawServer((s) => s.destroy());
  const r = await send(pool(), srv.port, 'GET', '/');
  assert.equal(r.error?.beforeResponse, true);
  assert.equal(srv.connections, 1);
});

test('HEAD, 204 and 304 carry no body even with a Content-Length, and the connection is reused after each', async () => {
  const srv = await rawServer((s, _n, head) => {
    if (head.startsWith('HEAD')) s.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n');
    else if (head.includes('/204')) s.write('HTTP/1.1 204 No Content\r\n\r\n');
    else s.write('HTTP/1.1 304 Not Modified\r\ncontent-length: 100\r\n\r\n');
  });
  const p = pool();
  for (const [method, path, status] of [['HEAD', '/', 200], ['GET', '/204', 204], ['GET', '/304', 304]] as const) {
    const r = await send(p, srv.port, method, path);
    assert.deepEqual([r.status, r.framing, r.body.length], [status, { kind: 'none' }, 0]);
  }
  assert.equal(srv.connections, 1);
});

test('1xx heads are skipped; a chunked answer with extensions and trailers passes through byte for byte', async () => {
  const chunked = '5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nx-trailer: t\r\n\r\n';
  const srv = await rawServer((s) => s.write(`HTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${chunked}`));
  const p = pool();
  const r = await send(p, srv.port, 'GET', '/');
  assert.deepEqual([r.status, r.body.toString()], [200, chunked]);
  assert.equal(p.idleCount(), 1);
});

test('a close-delimited answer ends at the close and its socket is not pooled', async () => {
  const srv = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\n\r\nuntil close'));
  const p = pool();
  const r = await send(p, srv.port, 'GET', '/');
  assert.deepEqual([r.framing, r.body.toString(), r.error], [{ kind: 'close' }, 'until close', undefined]);
  assert.equal(p.idleCount(), 0);
});

test('a reset after the head is an error that says the response had started', async () => {
  const srv = await rawServer((s) => {
    s.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc');
    setTimeout(() => s.resetAndDestroy(), 20);
  });
  const r = await send(pool(), srv.port, 'GET', '/');
  assert.deepEqual([r.status, r.body.toString(), r.error?.beforeResponse], [200, 'abc', false]);
});

test('1 MB goes up and 1 MB comes back with backpressure on both sides, byte for byte', async () => {
  const MB = 1 << 20;
  const srv = await rawServer((s) => {
    s.write(`HTTP/1.1 200 OK\r\ncontent-length: ${MB}\r\n\r\n`);
    s.write(Buffer.alloc(MB, 0x62));
  });
  // The upload is a stream producing 1 MB in 64 KiB pieces, paused whenever the socket is full.
  const up = new PassThrough({ highWaterMark: 16 * 1024 });
  let written = 0;
  const pump = () => {
    while (written < MB) {
      written += 64 * 1024;
      if (!up.write(Buffer.alloc(64 * 1024, 0x61))) return void up.once('drain', pump);
    }
    up.end();
  };
  pump();
  const r = await send(pool(), srv.port, 'POST', '/big', up, { slowReader: true });
  assert.equal(r.status, 200);
  assert.equal(r.body.length, MB);
  assert.ok(r.body.every((b) => b === 0x62));
  assert.deepEqual(srv.requests, ['POST /big HTTP/1.1']);
});
