import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort } from '../../src/platform/local/ports.js';

const APPS = resolve(import.meta.dirname, '../../examples/istio-in-action/apps');
const HOST = '127.0.0.1';

/** The sidecar's outbound in miniature: absolute-URI requests for catalog.istioinaction go to catalog, or answer `catalogStatus`. */
let catalogStatus: number | 'reset' | 'pass' = 'pass';
const proxied: string[] = [];
let proxy: Server;
let catalog: ChildProcess;
let webapp: ChildProcess;
let catalogPort = 0;
let webappPort = 0;

function startApp(file: string, port: number, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(APPS, file)], { env: { ...process.env, HOST, PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((done) => child.stdout?.once('data', () => done(child)));
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    request({ host: HOST, port, path }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    }).on('error', fail).end();
  });
}

before(async () => {
  catalogPort = await freePort(HOST);
  webappPort = await freePort(HOST);
  proxy = createServer((req, res) => {
    proxied.push(`${req.method} ${req.url}`);
    if (catalogStatus === 'reset') return void req.socket.resetAndDestroy();
    if (catalogStatus !== 'pass') return void res.writeHead(catalogStatus).end('RBAC: access denied');
    const url = new URL(req.url ?? '');
    request({ host: HOST, port: catalogPort, path: url.pathname }, (answer) => { res.writeHead(answer.statusCode ?? 502, answer.headers); answer.pipe(res); }).end();
  });
  const proxyPort = await new Promise<number>((done) => proxy.listen(0, HOST, () => done((proxy.address() as { port: number }).port)));
  catalog = await startApp('catalog.mjs', catalogPort, {});
  webapp = await startApp('webapp.mjs', webappPort, { http_proxy: `http://${HOST}:${proxyPort}` });
});
after(() => {
  catalog.kill();
  webapp.kill();
  proxy.close();
});

test('catalog serves its items as a JSON list on /items', async () => {
  const r = await get(catalogPort, '/items');
  assert.equal(r.status, 200);
  const items = JSON.parse(r.body) as { id: number; name: string }[];
  assert.ok(items.length > 0 && items.every((i) => typeof i.id === 'number' && typeof i.name === 'string'));
});

test('webapp serves / and /api/catalog by calling catalog.istioinaction/items through http_proxy', async () => {
  catalogStatus = 'pass';
  proxied.length = 0;
  assert.equal((await get(webappPort, '/')).status, 200);
  const r = await get(webappPort, '/api/catalog');
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), JSON.parse((await get(catalogPort, '/items')).body));
  assert.deepEqual(proxied, ['GET http://catalog.istioinaction/items']);
});

test('webapp answers 500 "error calling Catalog service" when catalog answers non-2xx', async () => {
  catalogStatus = 403;
  const r = await get(webappPort, '/api/catalog');
  assert.deepEqual(r, { status: 500, body: 'error calling Catalog service' });
});

test('webapp answers 500 "error calling Catalog service" when the call to catalog is reset', async () => {
  catalogStatus = 'reset';
  const r = await get(webappPort, '/api/catalog');
  assert.deepEqual(r, { status: 500, body: 'error calling Catalog service' });
});
