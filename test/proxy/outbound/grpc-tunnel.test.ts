import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { mintSvid, testCa } from '../support/svid.js';
import { curl, endpoint, service, snapshotWith, startNamedApp, startOutbound, startSidecar } from './support.js';

const id = (b: Buffer) => b;
const definition = {
  echo: { path: '/test.Echo/Echo', requestStream: false, responseStream: false, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id },
  count: { path: '/test.Echo/Count', requestStream: false, responseStream: true, requestSerialize: id, requestDeserialize: id, responseSerialize: id, responseDeserialize: id },
} satisfies grpc.ServiceDefinition;

async function startGrpcApp(): Promise<number> {
  const server = new grpc.Server();
  server.addService(definition, {
    echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const text = call.request.toString();
      if (text === 'missing') return cb({ code: grpc.status.NOT_FOUND, details: 'no such item' });
      const md = new grpc.Metadata();
      md.set('x-trailer', 'kept');
      cb(null, Buffer.from(`echo:${text}`), md);
    },
    count: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      for (let i = 1; i <= 3; i++) call.write(Buffer.from(String(i)));
      const md = new grpc.Metadata();
      md.set('x-count', '3');
      call.end(md);
    },
  });
  const port = await new Promise<number>((r, j) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? j(e) : r(p))));
  after(() => server.forceShutdown());
  return port;
}

describe('CONNECT tunnels through the outbound proxy', async () => {
  const ca = await testCa();
  const grpcSidecar = await startSidecar(await mintSvid(ca, 'istioinaction', 'catalog'), await startGrpcApp());
  const web = await startNamedApp('web');
  const webSidecar = await startSidecar(await mintSvid(ca, 'istioinaction', 'web'), web.port);
  const out = await startOutbound(snapshotWith(
    [
      service('catalog', 'istioinaction', [{ name: 'grpc', port: 9090, targetPort: 'grpc' }, { name: 'http-sniffed', port: 8080, targetPort: 'grpc' }]),
      service('web', 'istioinaction', [{ port: 80, targetPort: webSidecar.port }]),
    ],
    [
      endpoint('catalog', 'istioinaction', grpcSidecar.port, { ports: [{ name: 'grpc', port: grpcSidecar.port, protocol: 'grpc' }] }),
      endpoint('web', 'istioinaction', webSidecar.port, { ports: [{ port: webSidecar.port }] }),
    ],
  ));
  // grpc-js reads the proxy from the environment (grpc_proxy, https_proxy, then http_proxy).
  for (const k of ['grpc_proxy', 'https_proxy', 'no_proxy', 'no_grpc_proxy', 'NO_PROXY']) delete process.env[k];
  process.env.http_proxy = out.url;
  const Client = grpc.makeGenericClientConstructor(definition, 'Echo');
  const clientFor = (target: string) => {
    const c = new Client(target, grpc.credentials.createInsecure()) as unknown as grpc.Client & { echo: (...a: unknown[]) => unknown; count: (...a: unknown[]) => unknown };
    after(() => c.close());
    return c;
  };
  const unary = (c: ReturnType<typeof clientFor>, text: string) => new Promise<{ err: grpc.ServiceError | null; value?: Buffer; trailer?: grpc.Metadata }>((resolve) => {
    let trailer: grpc.Metadata | undefined;
    const call = c.echo(Buffer.from(text), (err: grpc.ServiceError | null, value?: Buffer) => setImmediate(() => resolve({ err, value, trailer }))) as grpc.ClientUnaryCall;
    call.on('status', (s: grpc.StatusObject) => { trailer = s.metadata; });
  });

  it('carries a unary gRPC call over mTLS (ALPN h2) with its trailers', async () => {
    const c = clientFor('catalog.istioinaction:9090');
    const r = await unary(c, 'hi');
    assert.equal(r.err, null);
    assert.equal(r.value?.toString(), 'echo:hi');
    assert.deepEqual(r.trailer?.get('x-trailer'), ['kept']);
    assert.equal(grpcSidecar.handshakes.at(-1)?.uri, 'spiffe://cluster.local/ns/istioinaction/sa/webapp');
  });

  it('delivers a gRPC error status from the server', async () => {
    const r = await unary(clientFor('catalog:9090'), 'missing');
    assert.equal(r.err?.code, grpc.status.NOT_FOUND);
    assert.equal(r.err?.details, 'no such item');
  });

  it('carries a server-streaming call and its final status and trailers', async () => {
    const c = clientFor('catalog.istioinaction.svc.cluster.local:9090');
    const call = c.count(Buffer.from('')) as grpc.ClientReadableStream<Buffer>;
    const got: string[] = [];
    const status = await new Promise<grpc.StatusObject>((resolve) => {
      call.on('data', (b: Buffer) => got.push(b.toString()));
      call.on('status', resolve);
      call.on('error', () => {});
    });
    assert.deepEqual(got, ['1', '2', '3']);
    assert.equal(status.code, grpc.status.OK);
    assert.deepEqual(status.metadata.get('x-count'), ['3']);
  });

  it('recognises h2c inside a tunnel to a port not declared as gRPC', async () => {
    const r = await unary(clientFor('catalog:8080'), 'sniffed');
    assert.equal(r.value?.toString(), 'echo:sniffed');
  });

  it('carries HTTP/1.1 inside a tunnel (curl -p) over mTLS', async () => {
    const before = webSidecar.handshakes.length;
    const r = await curl(['-p', '-x', out.url, 'http://web/tunnelled']);
    assert.equal(r.stdout, 'web /tunnelled');
    assert.equal(webSidecar.handshakes.length, before + 1);
  });
});
