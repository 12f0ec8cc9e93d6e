// The inbound HTTP/1.1 fast path over real sockets: what it hands to Node's
// parser (and so can never smuggle), pipelining, local framing of odd answers,
// a client that leaves mid-response, and an app that resets.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import tls from 'node:tls';
import { onFileEnd } from '../support/cleanup.js';
import { startHarness, waitFor } from '../support/harness.js';
import { meshMtls, snapshotFor } from '../support/snapshot.js';
import { mintSvid } from '../support/svid.js';
import { rawExchange, statuses } from '../support/raw-exchange.js';

// Each hides a second request (/smuggled) behind a framing trick. Whatever path takes it, the app must see
// at most one request and never /smuggled; a request the app did not see must have Node's 400 (or 431).
const SMUGGLING: Record<string, string> = {
  'Content-Length with Transfer-Encoding': 'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
  'two Content-Lengths': 'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 37\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
  'Transfer-Encoding on a request': 'POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n23\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n\r\n0\r\n\r\n',
  'obs-fold hiding a Content-Length': 'GET /a HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n Content-Length: 37\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
  'bare LF line ends': 'GET /a HTTP/1.1\nHost: x\nContent-Length: 37\n\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
  'a space before the colon': 'POST /a HTTP/1.1\r\nHost: x\r\nContent-Length : 37\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n',
  'a NUL in a header value': 'GET /a HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n',
  'non-ASCII in a header value': 'GET /a HTTP/1.1\r\nHost: x\r\nX-A: caf\u00e9\r\n\r\n',
  'an oversized head': `GET /a HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
};

for (const [name, payload] of Object.entries(SMUGGLING)) {
  test(`${name}: the app sees at most one request and never the hidden one`, async () => {
    const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]));
    const raw = await rawExchange(h.port, payload);
    const codes = statuses(raw);
    const seen = h.app.seen.map((r) => r.url);
    assert.ok(!seen.includes('/smuggled'), `smuggled through: ${JSON.stringify(seen)}`);
    assert.ok(seen.length <= 1, `the app saw ${seen.length} requests`);
    if (seen.length === 0) assert.ok(codes.length === 1 && (codes[0] === 400 || codes[0] === 431), `Node's answer expected, got ${JSON.stringify(raw.slice(0, 80))}`);
    else assert.equal(codes[0], 200);
  });
}

test('pipelined requests are answered in order, each forwarded once, on one connection', async () => {
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]));
  const reqs = ['/one', '/two', '/three'].map((p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`).join('');
  const raw = await rawExchange(h.port, reqs);
  assert.deepEqual(statuses(raw), [200, 200, 200]);
  assert.deepEqual([...raw.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]), ['/one', '/two', '/three']);
  assert.deepEqual(h.app.seen.map((r) => r.url), ['/one', '/two', '/three']);
});

test('a request the fast path does not take hands the connection to Node, which serves it and what follows', async () => {
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]));
  const raw = await rawExchange(h.port, 'GET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /node HTTP/1.1\r\nHost: x\r\nX-A: caf\u00e9\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.deepEqual(statuses(raw), [200, 200, 200]);
  assert.deepEqual(h.app.seen.map((r) => r.url), ['/fast', '/node', '/after']);
});

/** An app with odd answers, by path. */
async function oddApp(): Promise<{ port: number; closedEarly: () => number }> {
  let closedEarly = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    const path = req.url ?? '';
    if (path === '/head') return void res.writeHead(200, { 'content-length': '5' }).end(req.method === 'HEAD' ? undefined : 'hello');
    if (path === '/204') return void res.writeHead(204).end();
    if (path === '/304') return void res.writeHead(304, { etag: '"a"' }).end();
    if (path === '/close-delimited') {
      res.useChunkedEncodingByDefault = false;
      res.shouldKeepAlive = false;
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end('until the close');
    }
    if (path === '/reset-before') return void req.socket.resetAndDestroy();
    if (path === '/reset-after') {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      return void setTimeout(() => req.socket.resetAndDestroy(), 30);
    }
    if (path === '/slow') {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('first part');
      res.once('close', () => {
        if (!res.writableFinished) closedEarly++;
      });
      return;
    }
    if (path === '/head-first') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.flushHeaders();
      return void setTimeout(() => res.end('later'), 400);
    }
    if (path === '/upload') {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => res.end(JSON.stringify({ received: n })));
      return;
    }
    if (path === '/download') return void res.end(Buffer.alloc(1 << 20, 0x64));
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onFileEnd(() => {
    server.closeAllConnections();
    server.close();
  });
  return { port: (server.address() as net.AddressInfo).port, closedEarly: () => closedEarly };
}

test('HEAD, 204 and 304 answers end at their head, and the connection serves the next request', async () => {
  const app = await oddApp();
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]), { appPort: app.port });
  const raw = await rawExchange(h.port, ['HEAD /head', 'GET /204', 'GET /304', 'GET /head'].map((l) => `${l} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
  assert.deepEqual(statuses(raw), [200, 204, 304, 200]);
  assert.ok(raw.endsWith('\r\n\r\nhello'), 'only the last (GET) answer has a body');
});

test('an app that sends its head first and its body later: the client gets the head before the body exists', async () => {
  const app = await oddApp();
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]), { appPort: app.port });
  const c = net.connect(h.port, '127.0.0.1');
  let got = '';
  let atHead: string | undefined;
  c.on('data', (d: Buffer) => {
    got += d.toString('latin1');
    if (atHead === undefined && got.includes('\r\n\r\n')) atHead = got;
  });
  c.write('GET /head-first HTTP/1.1\r\nHost: x\r\n\r\n');
  await waitFor(() => got.includes('0\r\n\r\n'));
  c.destroy();
  // Had the head waited for body bytes, both would have come in one write.
  assert.match(atHead ?? '', /^HTTP\/1\.1 200 OK\r\n[^]*transfer-encoding: chunked\r\n\r\n$/);
  assert.match(got, /\r\n\r\n5\r\nlater\r\n0\r\n\r\n$/);
});

test('a close-delimited app answer reaches the client chunked, and the client connection stays open', async () => {
  const app = await oddApp();
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]), { appPort: app.port });
  const raw = await rawExchange(h.port, 'GET /close-delimited HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.deepEqual(statuses(raw), [200, 200]);
  assert.match(raw, /transfer-encoding: chunked\r\n\r\nf\r\nuntil the close\r\n0\r\n\r\n/);
  await waitFor(() => h.lines.length >= 2);
  assert.match(h.lines[0] as string, /"GET \/close-delimited HTTP\/1\.1" 200 - via_upstream - "-" 0 15 /);
});

test('the app resetting before its answer is a 503 UF; after its answer started, the client connection is cut and the log says UR', async () => {
  const app = await oddApp();
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]), { appPort: app.port });
  const before = await rawExchange(h.port, 'GET /reset-before HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.deepEqual(statuses(before), [503]);
  assert.match(before, /upstream connect error or disconnect\/reset before headers/);
  const afterStart = await rawExchange(h.port, 'GET /reset-after HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.deepEqual(statuses(afterStart), [200]);
  assert.ok(afterStart.endsWith('partial'), 'the client got what was sent, then the cut');
  await waitFor(() => h.lines.length >= 2);
  assert.match(h.lines[0] as string, / 503 UF /);
  assert.match(h.lines[1] as string, / 200 UR upstream_reset_after_response_started/);
});

test('a client that leaves mid-response closes the app connection too, and the log says DC', async () => {
  const app = await oddApp();
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]), { appPort: app.port });
  const raw = await rawExchange(h.port, 'GET /slow HTTP/1.1\r\nHost: x\r\n\r\n', { quietMs: 100 });
  assert.match(raw, /first part$/);
  await waitFor(() => h.lines.length >= 1 && app.closedEarly() === 1);
  assert.match(h.lines[0] as string, / 200 DC /);
});

test('1 MB goes to the app and 1 MB comes back through the fast path, byte counts in the access log', async () => {
  const app = await oddApp();
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]), { appPort: app.port });
  const MB = 1 << 20;
  const up = await rawExchange(h.port, Buffer.concat([Buffer.from(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${MB}\r\n\r\n`), Buffer.alloc(MB, 0x75)]));
  assert.match(up, /\{"received":1048576\}$/);
  const down = await rawExchange(h.port, 'GET /download HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(down.length - down.indexOf('\r\n\r\n') - 4, MB);
  await waitFor(() => h.lines.length >= 2);
  assert.match(h.lines[0] as string, /"POST \/upload HTTP\/1\.1" 200 - via_upstream - "-" 1048576 20 /);
  assert.match(h.lines[1] as string, /"GET \/download HTTP\/1\.1" 200 - via_upstream - "-" 0 1048576 /);
});

test('over mutual TLS (STRICT) the fast path serves HTTP/1.1, and an odd request hands the TLS connection to Node', async () => {
  const h = await startHarness(snapshotFor([meshMtls('STRICT')]));
  const client = await mintSvid(h.ca, 'default', 'sleep');
  const raw = await new Promise<string>((resolve) => {
    const s = tls.connect({ port: h.port, host: '127.0.0.1', key: client.keyPem, cert: client.certChainPem, ca: client.bundlePem, ALPNProtocols: ['http/1.1'], checkServerIdentity: () => undefined });
    let out = '';
    const cap = setTimeout(() => s.destroy(), 3000);
    s.on('data', (c: Buffer) => {
      out += c.toString('latin1');
      if (statuses(out).length === 3 && out.endsWith('}')) s.destroy();
    });
    s.on('close', () => {
      clearTimeout(cap);
      resolve(out);
    });
    s.on('error', () => s.destroy());
    s.write(Buffer.from('GET /fast HTTP/1.1\r\nHost: x\r\n\r\nGET /node HTTP/1.1\r\nHost: x\r\nX-A: caf\u00e9\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'));
  });
  assert.deepEqual(statuses(raw), [200, 200, 200]);
  assert.deepEqual(h.app.seen.map((r) => r.url), ['/fast', '/node', '/after']);
  assert.match(String(h.app.seen[0]?.headers['x-forwarded-client-cert']), /URI=spiffe:\/\/cluster\.local\/ns\/default\/sa\/sleep$/);
  assert.match(String(h.app.seen[1]?.headers['x-forwarded-client-cert']), /URI=spiffe:\/\/cluster\.local\/ns\/default\/sa\/sleep$/);
});

test('a local reply to HEAD has its headers and no body, so the next answer on the connection stays aligned', async () => {
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]));
  // A path the normalizer refuses: the proxy answers 400 itself, with a body for GET and none for HEAD.
  const raw = await rawExchange(h.port, 'HEAD /a/%00 HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.deepEqual(statuses(raw), [400, 200]);
  assert.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n[^]*?content-length: 11\r\n\r\nHTTP\/1\.1 200 /);
});
