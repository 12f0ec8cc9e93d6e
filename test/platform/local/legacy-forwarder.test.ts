import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { after, before, test } from 'node:test';
import type { Service } from '../../../src/config/kinds.js';
import type { Endpoint } from '../../../src/proxy/model.js';
import { startLegacyForwarder, type LegacyForwarder } from '../../../src/platform/local/legacy-forwarder.js';

const SLEEP = '127.79.3.1';
const CATALOG = '127.79.2.1';
const STRICT = '127.79.4.1';

function service(name: string, namespace: string, app: string, targetPort: number): Service {
  return { apiVersion: 'v1', group: '', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app }, ports: [{ port: 80, targetPort }] }, source: { file: 'test', line: 1 } } as unknown as Service;
}
function endpoint(name: string, namespace: string, address: string, port: number): Endpoint {
  return { namespace, name, labels: { app: name }, address, ports: [{ port }], sidecar: true, spiffeId: `spiffe://cluster.local/ns/${namespace}/sa/${name}` };
}
function listen(server: Server | TcpServer, host: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as { port: number }).port)));
}
/** curl through the forwarder, as `meshguard exec default/sleep -- curl …` runs it (async: the forwarder runs in this process). */
function curl(url: string, extra: string[] = []): Promise<{ status: number | null; code: string; body: string }> {
  return new Promise((resolve) => {
    const child = spawn('curl', ['-s', '-o', '-', '-w', '\n%{http_code}', '--max-time', '5', ...extra, url], { env: { ...process.env, http_proxy: fwd.url, https_proxy: fwd.url, NO_PROXY: '' } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.once('close', (status) => {
      const lines = out.split('\n');
      const code = lines.pop() ?? '';
      resolve({ status, code, body: lines.join('\n') });
    });
  });
}

let catalog: Server;
let strict: TcpServer;
let fwd: LegacyForwarder;
before(async () => {
  // The destination sidecar: answers with the source address and Host it saw.
  catalog = createServer((req, res) => res.end(JSON.stringify({ from: req.socket.remoteAddress, host: req.headers.host, path: req.url })));
  const catalogPort = await listen(catalog, CATALOG);
  // A STRICT port as plaintext sees it: the connection is reset as soon as bytes arrive.
  strict = createTcpServer((s) => s.once('data', () => s.resetAndDestroy()));
  const strictPort = await listen(strict, STRICT);
  fwd = await startLegacyForwarder({
    namespace: 'default', address: SLEEP,
    services: [service('catalog', 'istioinaction', 'catalog', catalogPort), service('strict', 'istioinaction', 'strict', strictPort), service('empty', 'istioinaction', 'nobody', 1)],
    endpoints: [endpoint('catalog', 'istioinaction', CATALOG, catalogPort), endpoint('strict', 'istioinaction', STRICT, strictPort)],
  });
});
after(async () => {
  await fwd.close();
  catalog.close();
  strict.close();
});

test('resolves every form of a Service name to the destination, service port to target port', async () => {
  for (const host of ['catalog.istioinaction', 'catalog.istioinaction.svc', 'catalog.istioinaction.svc.cluster.local', 'catalog.istioinaction:80']) {
    const r = await curl(`http://${host}/items?x=1`);
    assert.equal(r.code, '200', host);
    const seen = JSON.parse(r.body) as { host: string; path: string };
    assert.equal(seen.host, host.replace(/:80$/, ''), 'the Host header is the one the client sent (curl leaves out :80)');
    assert.equal(seen.path, '/items?x=1', 'the destination gets origin form');
  }
});

test('connects from the workload\'s own address, so the destination sees it as source.ip', async () => {
  const r = await curl('http://catalog.istioinaction/items');
  assert.equal((JSON.parse(r.body) as { from: string }).from, SLEEP);
});

test('a destination that resets a plaintext connection makes curl print 000 and exit 56, as in the seed', async () => {
  const r = await curl('http://strict.istioinaction/items', ['-o', '/dev/null']);
  assert.equal(r.code, '000');
  assert.equal(r.status, 56);
});

test('a Service without endpoints resets the client instead of answering a status of its own', async () => {
  const r = await curl('http://empty.istioinaction/');
  assert.equal(r.code, '000');
  assert.notEqual(r.status, 0);
});

test('a short name resolves in the legacy workload\'s own namespace only', async () => {
  // `catalog` from `default` is not istioinaction's catalog: it passes through to a host that does not exist.
  const r = await curl('http://catalog/items');
  assert.equal(r.code, '000');
});

test('tunnels CONNECT to a Service from the workload\'s address', async () => {
  const r = await curl('http://catalog.istioinaction/items', ['--proxytunnel']);
  assert.equal(r.code, '200');
  assert.equal((JSON.parse(r.body) as { from: string }).from, SLEEP);
});

test('passes unknown hosts through', async () => {
  const port = (catalog.address() as { port: number }).port;
  const r = await curl(`http://${CATALOG}:${port}/direct`);
  assert.equal(r.code, '200');
  assert.equal((JSON.parse(r.body) as { path: string }).path, '/direct');
});
