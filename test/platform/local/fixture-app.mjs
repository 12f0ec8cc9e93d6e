// An app for supervisor tests: answers every request with what it was started with.
import { createServer } from 'node:http';

const startedAt = Date.now();
const seen = {
  startedAt, HOST: process.env.HOST, PORT: process.env.PORT, http_proxy: process.env.http_proxy,
  HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY, GREETING: process.env.GREETING,
};
createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...seen, remote: req.socket.remoteAddress }));
}).listen(Number(process.env.PORT), process.env.HOST, () => console.log(`fixture app listening on ${process.env.HOST}:${process.env.PORT}`));
process.on('SIGTERM', () => process.exit(0));
