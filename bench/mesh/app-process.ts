// Child process: the app every scenario ends at — a small JSON answer with a
// length, keep-alive kept long so proxies' pooled connections stay up.
// IPC: reports { port } once listening; 'stop' exits.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.from('{"items":[1,2,3]}');
const app = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
});
app.keepAliveTimeout = 120_000;
app.listen(0, '127.0.0.1', () => process.send?.({ port: (app.address() as AddressInfo).port }));
process.on('message', (m) => {
  if (m === 'stop') process.exit(0);
});
