import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { test } from 'node:test';
import { serveFastHttp1 } from '../../../src/proxy/http1/index.js';

test('a request slower than the idle timeout is answered, and the connection then closes after being idle that long', async () => {
  const IDLE_MS = 60;
  const server = net.createServer({ pauseOnConnect: true }, (socket) =>
    serveFastHttp1(socket, {
      form: 'origin',
      // The app takes three idle periods to answer: the connection is busy, not idle.
      serve: (_req, res) => void setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('late'), IDLE_MS * 3),
      fallback: (s) => s.destroy(),
      keepAliveTimeoutMs: IDLE_MS,
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  try {
    let got = '';
    client.on('data', (c: Buffer) => (got += c.toString('latin1')));
    client.write('GET / HTTP/1.1\r\nhost: a\r\n\r\n');
    const sent = Date.now();
    await once(client, 'close');
    const lived = Date.now() - sent;
    assert.match(got, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nlate$/);
    assert.ok(lived >= IDLE_MS * 4 - 10, `closed after ${lived} ms`);
  } finally {
    client.destroy();
    server.close();
  }
});
