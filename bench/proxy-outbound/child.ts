// Bench child processes, so each side's CPU is measured alone:
//   `destination`: a tiny HTTP app behind a TLS "sidecar" stand-in (mTLS required), one ready line with both ports;
//   `proxy`: the outbound proxy under test. Config arrives over IPC; `cpu` asks for process.cpuUsage().
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { createOutboundProxy } from '../../src/proxy/outbound/index.js';
import type { ProxyIdentity, ProxySnapshot } from '../../src/proxy/model.js';

type Msg = { role: 'destination'; identity: ProxyIdentity } | { role: 'proxy'; identity: ProxyIdentity; snapshot: ProxySnapshot } | { role: 'cpu' };

const listen = (s: net.Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));
let handshakes = () => 0;

process.on('message', (m: Msg) => {
  void (async () => {
    if (m.role === 'cpu') return process.send?.({ cpu: process.cpuUsage(), handshakes: handshakes() });
    if (m.role === 'destination') {
      const body = Buffer.from('{"items":[1,2,3]}');
      const app = http.createServer((_q, s) => s.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body));
      app.keepAliveTimeout = 120_000;
      const appPort = await listen(app);
      let n = 0;
      const id = m.identity;
      const sidecar = tls.createServer({ key: id.keyPem, cert: id.certChainPem, ca: id.bundlePem, requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['http/1.1'] }, (s) => {
        n++;
        const up = net.connect(appPort, '127.0.0.1');
        s.pipe(up).pipe(s);
        s.on('error', () => up.destroy());
        up.on('error', () => s.destroy());
      });
      handshakes = () => n;
      return process.send?.({ appPort, sidecarPort: await listen(sidecar) });
    }
    const identity = { current: () => m.identity, onChange: () => () => {} };
    const proxy = createOutboundProxy({ snapshot: m.snapshot, identity, listen: { host: '127.0.0.1', port: 0 }, log: { warn: () => {}, debug: () => {} } });
    handshakes = () => proxy.stats().handshakes;
    process.send?.({ port: await proxy.listen() });
  })();
});
