// Istio in Action's catalog: `/items` answers the catalog as a JSON list.
// Listens on HOST:PORT (meshguard up sets them).
import { createServer } from 'node:http';

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3000);

const ITEMS = [
  { id: 1, color: 'amber', department: 'Eyewear', name: 'Elinor Glasses', price: '282.00' },
  { id: 2, color: 'cyan', department: 'Clothing', name: 'Atlas Shirt', price: '127.00' },
  { id: 3, color: 'teal', department: 'Clothing', name: 'Small Metal Shoes', price: '232.00' },
  { id: 4, color: 'red', department: 'Watches', name: 'Red Dragon Watch', price: '232.00' },
];

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://catalog').pathname;
  console.log(`${req.method} ${path}`);
  if (path === '/items' || path === '/items/') return void res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(ITEMS)}\n`);
  const one = /^\/items\/(\d+)$/.exec(path);
  const item = one && ITEMS.find((i) => i.id === Number(one[1]));
  if (item) return void res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(item)}\n`);
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
});
server.listen(port, host, () => console.log(`catalog listening on ${host}:${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
