// The outbound fast path: the app's absolute-form requests go over pooled mTLS
// as bytes; the first request it does not take (CONNECT, an odd header) hands
// the connection to Node's server, which serves it and the rest.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import { catalogMesh, waitFor } from './support.js';
import { rawExchange, statuses } from '../support/raw-exchange.js';

describe('outbound fast path', async () => {
  const mesh = await catalogMesh();

  it('forwards pipelined GET and POST (with a body) in order over one pooled mTLS connection, origin-form with Host from the URI', async () => {
    const before = mesh.sidecar.handshakes.length;
    const raw = await rawExchange(mesh.out.port,
      'GET http://catalog.istioinaction/one HTTP/1.1\r\nHost: ignored\r\n\r\n' +
      'POST http://catalog.istioinaction/two?q=1 HTTP/1.1\r\nHost: ignored\r\nContent-Length: 5\r\n\r\nhello');
    assert.deepEqual(statuses(raw), [200, 200]);
    assert.match(raw, /catalog \/one[\s\S]*catalog \/two\?q=1$/);
    assert.equal(mesh.sidecar.handshakes.length - before, 1);
    const last = mesh.app.seen.at(-1);
    assert.equal(last?.host, 'catalog.istioinaction');
    assert.equal(last?.['x-forwarded-proto'], 'http');
    assert.match(String(last?.['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('hands an odd request to Node on the same connection, which serves it and the next', async () => {
    const seen = mesh.app.seen.length;
    const raw = await rawExchange(mesh.out.port,
      'GET http://catalog.istioinaction/fast HTTP/1.1\r\nHost: c\r\n\r\n' +
      'GET http://catalog.istioinaction/node HTTP/1.1\r\nHost: c\r\nX-Name: caf\u00e9\r\n\r\n' +
      'GET http://catalog.istioinaction/after HTTP/1.1\r\nHost: c\r\n\r\n');
    assert.deepEqual(statuses(raw), [200, 200, 200]);
    assert.equal(mesh.app.seen.length - seen, 3);
  });

  for (const [path, extra] of [['fast', ''], ['node', 'X-Name: caf\u00e9\r\n']]) {
    it(`a client that leaves before the answer is logged DC, on the ${path} path`, async () => {
      const c = net.connect(mesh.out.port, '127.0.0.1');
      await once(c, 'connect');
      // A body that never completes: the destination waits for it, so the client is gone before any answer.
      c.write(`POST http://catalog.istioinaction/left-early-${path} HTTP/1.1\r\nHost: c\r\n${extra}Content-Length: 100\r\n\r\nabc`);
      await waitFor(() => mesh.app.seen.some((h) => h['content-length'] === '100' && (path === 'fast') === (h['x-name'] === undefined)));
      c.destroy();
      await waitFor(() => mesh.out.lines.some((l) => l.includes(`/left-early-${path}`)));
      assert.match(mesh.out.lines.find((l) => l.includes(`/left-early-${path}`)) as string, /"response_code":0,"response_flags":"DC"/);
    });
  }

  it('answers an unknown host as the Node path does, and logs the request', async () => {
    const raw = await rawExchange(mesh.out.port, 'GET http://nowhere.example/x HTTP/1.1\r\nHost: nowhere.example\r\n\r\n');
    assert.equal(statuses(raw).length, 1);
    await waitFor(() => mesh.out.lines.some((l) => l.includes('nowhere.example')));
  });
});
