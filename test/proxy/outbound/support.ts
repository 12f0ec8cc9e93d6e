// Outbound tests: destination "sidecars" (a tls.createServer that requires a client
// SVID and pipes to a tiny app — not the inbound code), a snapshot naming them as
// Services, and the outbound proxy under test, all on 127.0.0.1 port 0.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { after } from 'node:test';
import { createAccessLogger } from '../../../src/proxy/access-log/index.js';
import type { Endpoint, ProxyIdentity, ProxySnapshot } from '../../../src/proxy/model.js';
import { createOutboundProxy, type OutboundProxy } from '../../../src/proxy/outbound/index.js';
import type { Service } from '../../../src/config/kinds.js';
import { snapshotFor } from '../support/snapshot.js';
import { mintSvid, mutableIdentity, testCa } from '../support/svid.js';

export { curl, waitFor, startEchoApp } from '../support/harness.js';

function listening<T extends net.Server>(server: T, host = '127.0.0.1'): Promise<number> {
  return new Promise((r) => server.listen(0, host, () => r((server.address() as AddressInfo).port)));
}

/** A TLS "sidecar": verifies the client SVID against the bundle, records who connected, pipes bytes to the app. */
export interface SidecarStandIn {
  port: number;
  /** One entry per completed handshake: the client's URI SAN and certificate serial. */
  handshakes: { uri: string; serial: string }[];
  /** Bytes that reached the app (0: nothing got past the TLS layer). */
  bytesToApp(): number;
}

export async function startSidecar(identity: ProxyIdentity, appPort: number, opts: { alpn?: string[] } = {}): Promise<SidecarStandIn> {
  const handshakes: SidecarStandIn['handshakes'] = [];
  let bytes = 0;
  const server = tls.createServer({
    key: identity.keyPem, cert: identity.certChainPem, ca: identity.bundlePem, requestCert: true, rejectUnauthorized: true,
    ALPNProtocols: opts.alpn ?? ['h2', 'http/1.1'],
  }, (socket) => {
    const cert = socket.getPeerX509Certificate();
    handshakes.push({ uri: (cert?.subjectAltName ?? '').replace(/^URI:/, ''), serial: cert?.serialNumber ?? '' });
    const app = net.connect(appPort, '127.0.0.1');
    socket.on('data', (b: Buffer) => { bytes += b.length; });
    socket.pipe(app).pipe(socket);
    const end = () => { socket.destroy(); app.destroy(); };
    socket.on('error', end).on('close', end);
    app.on('error', end).on('close', end);
  });
  server.on('tlsClientError', () => {});
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
  const port = await listening(server);
  after(() => { for (const s of sockets) s.destroy(); server.close(); });
  return { port, handshakes, bytesToApp: () => bytes };
}

export function service(name: string, namespace: string, ports: Service['spec']['ports'], selector: Record<string, string> | undefined = { app: name }): Service {
  return {
    apiVersion: 'v1', group: '', kind: 'Service', metadata: { name, namespace },
    spec: { ...(selector ? { selector } : {}), ports }, source: { file: 'test', document: 0, line: 1, column: 1 },
  } as Service;
}

export function endpoint(name: string, namespace: string, port: number, opts: Partial<Endpoint> = {}): Endpoint {
  return {
    namespace, name, labels: { app: name }, address: '127.0.0.1', ports: [{ name: 'http', port, protocol: 'http' }], sidecar: true,
    spiffeId: `spiffe://cluster.local/ns/${namespace}/sa/${name}`, ...opts,
  };
}

/** webapp's snapshot (istioinaction) with the given Services and endpoints. */
export function snapshotWith(services: Service[], endpoints: Endpoint[], mesh: Partial<ProxySnapshot['mesh']> = {}): ProxySnapshot {
  const s = snapshotFor([]);
  return { ...s, mesh: { ...s.mesh, ...mesh }, services, endpoints };
}

export interface OutboundHarness {
  proxy: OutboundProxy;
  port: number;
  url: string;
  lines: string[];
  identity: ReturnType<typeof mutableIdentity>;
}

/** The outbound proxy of webapp (istioinaction) with a JSON access log collected in `lines`. */
export async function startOutbound(snapshot: ProxySnapshot): Promise<OutboundHarness> {
  const ca = await testCa();
  const identity = mutableIdentity(await mintSvid(ca, 'istioinaction', 'webapp'));
  const lines: string[] = [];
  const proxy = createOutboundProxy({
    snapshot, identity, listen: { host: '127.0.0.1', port: 0 },
    accessLog: createAccessLogger({ format: 'json', write: (l) => lines.push(l) }),
    log: { warn: () => {}, debug: () => {} }, connectTimeoutMs: 3000,
  });
  const port = await proxy.listen();
  after(() => proxy.close());
  return { proxy, port, url: `http://127.0.0.1:${port}`, lines, identity };
}

/** A plain HTTP server answering `name` and recording request headers. */
export async function startNamedApp(name: string): Promise<{ port: number; seen: http.IncomingHttpHeaders[] }> {
  const seen: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => res.end(`${name} ${req.url ?? ''}`));
  });
  const port = await listening(server);
  after(() => { server.closeAllConnections(); server.close(); });
  return { port, seen };
}

/** catalog (with a sidecar stand-in) as a Service of istioinaction; webapp's outbound proxy in front. */
export async function catalogMesh(opts: { registryOnly?: boolean; sidecarIdentity?: ProxyIdentity } = {}) {
  const ca = await testCa();
  const app = await startNamedApp('catalog');
  const sidecar = await startSidecar(opts.sidecarIdentity ?? (await mintSvid(ca, 'istioinaction', 'catalog')), app.port);
  const snapshot = snapshotWith(
    [service('catalog', 'istioinaction', [{ name: 'http', port: 80, targetPort: 'http' }])],
    [endpoint('catalog', 'istioinaction', sidecar.port)],
    opts.registryOnly ? { outboundTrafficPolicy: 'REGISTRY_ONLY' } : {},
  );
  const out = await startOutbound(snapshot);
  return { ca, app, sidecar, snapshot, out };
}
