// A stand-in for `meshguard proxy` until it lands: honours the contract's flags,
// with none of the security. Admin `/healthz/ready` (200 after STAND_IN_READY_DELAY_MS),
// inbound = plain TCP forward IP:port → APP_IP:port for the ports in
// STAND_IN_PORTS (JSON {"ns/name": [ports]}), outbound = an HTTP proxy that forwards
// absolute URIs to the URL's host as is. Writes DIR/proxies/NS.NAME.json like the real one.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect, createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';

const flags = {};
for (let i = 2; i < process.argv.length; i += 2) flags[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const required = ['data-dir', 'workload', 'token-file', 'address', 'app-address', 'outbound-port', 'admin-port'];
for (const name of required) if (!flags[name]) { console.error(`stand-in: missing --${name}`); process.exit(2); }
const [ns, name] = flags.workload.split('/');
const ports = JSON.parse(process.env.STAND_IN_PORTS ?? '{}')[flags.workload] ?? [];
const readyAt = Date.now() + Number(process.env.STAND_IN_READY_DELAY_MS ?? 0);

const admin = createServer((req, res) => {
  const ready = Date.now() >= readyAt;
  res.writeHead(req.url === '/healthz/ready' && ready ? 200 : 503).end(ready ? 'ready' : 'not ready');
});
admin.listen(Number(flags['admin-port']), flags.address);

const outbound = createServer((req, res) => {
  const url = new URL(req.url);
  const up = request({ host: url.hostname, port: url.port || 80, path: url.pathname + url.search, method: req.method, headers: req.headers, localAddress: flags.address });
  up.on('response', (r) => { res.writeHead(r.statusCode, r.headers); r.pipe(res); });
  up.on('error', () => req.socket.destroy());
  req.pipe(up);
});
outbound.listen(Number(flags['outbound-port']), flags.address);

for (const port of ports) {
  createTcpServer((client) => {
    const app = connect({ host: flags['app-address'], port });
    client.pipe(app).pipe(client);
    app.on('error', () => client.destroy());
    client.on('error', () => app.destroy());
  }).listen(port, flags.address);
}

mkdirSync(join(flags['data-dir'], 'proxies'), { recursive: true });
writeFileSync(join(flags['data-dir'], 'proxies', `${ns}.${name}.json`), JSON.stringify({
  pid: process.pid, address: flags.address, adminAddress: `${flags.address}:${flags['admin-port']}`,
  outboundAddress: `${flags.address}:${flags['outbound-port']}`, readyAt,
}));
console.log(`stand-in sidecar ${flags.workload} up`);
process.on('SIGTERM', () => process.exit(0));
