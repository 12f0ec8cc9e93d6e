// handleRequest runs the layers synchronously while it can; a layer that
// throws — at once, or later in a promise — answers 500 (or resets a response
// already started) instead of leaving the client hanging or crashing the proxy.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { plaintextInfo, tagConnection } from '../../../src/proxy/inbound/connection-info.js';
import { handleRequest } from '../../../src/proxy/inbound/http-pipeline.js';
import type { Handler, InboundPort } from '../../../src/proxy/inbound/layer.js';
import type { ProxyState } from '../../../src/proxy/inbound/proxy-state.js';

const PORT: InboundPort = { port: 0, listenHost: '127.0.0.1', targetHost: '127.0.0.1', targetPort: 1, protocol: 'http' };

async function serve(handler: Handler): Promise<number> {
  const server = http.createServer((req, res) => handleRequest(handler, {} as ProxyState, PORT, req, res));
  server.on('connection', (s) => tagConnection(s, plaintextInfo(s)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => server.close());
  return (server.address() as AddressInfo).port;
}

function get(port: number): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      res.on('error', (e) => resolve({ error: e.message }));
    }).on('error', (e) => resolve({ error: e.message }));
  });
}

test('a layer that throws synchronously is a 500, and the proxy goes on serving', async () => {
  let calls = 0;
  const port = await serve(() => {
    calls++;
    throw new Error('bug in a layer');
  });
  assert.deepEqual(await get(port), { status: 500 });
  assert.deepEqual(await get(port), { status: 500 });
  assert.equal(calls, 2);
});

test('a layer whose promise rejects is a 500', async () => {
  const port = await serve(async () => {
    await Promise.resolve();
    throw new Error('bug after a wait');
  });
  assert.deepEqual(await get(port), { status: 500 });
});

test('a layer that fails after the response started resets the connection instead', async () => {
  const port = await serve(async (r) => {
    (r.res as http.ServerResponse).writeHead(200, { 'content-length': '10' });
    (r.res as http.ServerResponse).write('part');
    await new Promise((res) => setTimeout(res, 5));
    throw new Error('bug mid-response');
  });
  const out = await get(port);
  assert.ok('error' in out, `expected a cut response, got ${JSON.stringify(out)}`);
});
