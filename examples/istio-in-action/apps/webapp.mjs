// Istio in Action's webapp: `/` and `/api/catalog`, which asks catalog for its
// items and answers 500 `error calling Catalog service` when that call fails or
// returns anything but 2xx — so a policy that blocks webapp → catalog shows.
// Listens on HOST:PORT (meshguard up sets them); calls go through http_proxy.
import { createServer } from 'node:http';
import { get } from './http-client.mjs';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 8080);
const catalogUrl = process.env.CATALOG_URL ?? 'http://catalog.istioinaction/items';

async function catalog(res) {
  try {
    const answer = await get(catalogUrl);
    if (answer.status < 200 || answer.status > 299) throw new Error(`catalog answered ${answer.status}: ${answer.body.slice(0, 200)}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end(answer.body);
  } catch (err) {
    console.error(`error calling Catalog service: ${err.message}`);
    res.writeHead(500, { 'content-type': 'text/plain' }).end('error calling Catalog service');
  }
}

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://webapp').pathname;
  console.log(`${req.method} ${path}`);
  if (path === '/api/catalog') return void catalog(res);
  if (path === '/') {
    return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body><h1>Istio in Action webapp</h1><p>Try <a href="/api/catalog">/api/catalog</a>.</p></body></html>\n');
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
});
server.listen(port, host, () => console.log(`webapp listening on ${host}:${port}, catalog at ${catalogUrl}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
