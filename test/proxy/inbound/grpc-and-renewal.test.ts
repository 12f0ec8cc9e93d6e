import { test } from 'node:test';
import { onFileEnd } from '../support/cleanup.js';
import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { meshMtls, snapshotFor } from '../support/snapshot.js';
import { startHarness } from '../support/harness.js';
import { request } from '../support/client.js';
import { mintSvid, testCa } from '../support/svid.js';

// A hand-written unary service (no .proto file): bytes in, bytes out.
const ECHO: grpc.ServiceDefinition = {
  Echo: {
    path: '/test.Echo/Echo', requestStream: false, responseStream: false,
    requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b,
  },
};

async function startGrpcApp(): Promise<number> {
  const server = new grpc.Server();
  server.addService(ECHO, {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      const xfcc = call.metadata.get('x-forwarded-client-cert')[0];
      if (call.request.toString() === 'fail') return cb({ code: grpc.status.PERMISSION_DENIED, details: 'nope' });
      const md = new grpc.Metadata();
      md.set('x-trailer', 'yes');
      cb(null, Buffer.from(`echo:${call.request.toString()}|${String(xfcc)}`), md);
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  onFileEnd(() => server.forceShutdown());
  return port;
}

function call(client: grpc.Client, body: string): Promise<{ value?: string; error?: grpc.ServiceError; trailers?: grpc.Metadata }> {
  return new Promise((resolve) => {
    let trailers: grpc.Metadata | undefined;
    const c = client.makeUnaryRequest('/test.Echo/Echo', (b: Buffer) => b, (b: Buffer) => b, Buffer.from(body), (error, value) =>
      setImmediate(() => resolve({ value: value?.toString(), error: error ?? undefined, trailers })));
    c.on('status', (s: grpc.StatusObject) => (trailers = s.metadata));
  });
}

test('a gRPC unary call works through the proxy over mTLS, trailers and error status included', async () => {
  const appPort = await startGrpcApp();
  const h = await startHarness(snapshotFor([meshMtls('STRICT')]), { appPort, protocol: 'grpc' });
  const sleep = await mintSvid(await testCa(), 'default', 'sleep');
  const creds = grpc.credentials.createSsl(Buffer.from(sleep.bundlePem), Buffer.from(sleep.keyPem), Buffer.from(sleep.certChainPem), { checkServerIdentity: () => undefined });
  const client = new grpc.Client(`127.0.0.1:${h.port}`, creds);
  onFileEnd(() => client.close());
  const ok = await call(client, 'hi');
  assert.equal(ok.error, undefined);
  assert.match(ok.value as string, /^echo:hi\|By=spiffe:\/\/cluster\.local\/ns\/istioinaction\/sa\/webapp;Hash=[0-9a-f]{64};Subject="";URI=spiffe:\/\/cluster\.local\/ns\/default\/sa\/sleep$/);
  assert.deepEqual(ok.trailers?.get('x-trailer'), ['yes']);
  const denied = await call(client, 'fail');
  assert.equal(denied.error?.code, grpc.status.PERMISSION_DENIED);
  assert.equal(denied.error?.details, 'nope');
  const metrics = await h.proxy.metrics.render();
  assert.match(metrics, /istio_requests_total\{[^}]*request_protocol="grpc"[^}]*grpc_response_status="7"[^}]*\} 1/);
});

function serialOfNewHandshake(port: number, client: { keyPem: string; certChainPem: string; bundlePem: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, key: client.keyPem, cert: client.certChainPem, ca: client.bundlePem, checkServerIdentity: () => undefined }, () => {
      const serial = s.getPeerCertificate().serialNumber;
      s.destroy();
      resolve(serial);
    });
    s.on('error', reject);
  });
}

test('a renewed server certificate is used for new handshakes while an open connection keeps working', async () => {
  const h = await startHarness(snapshotFor([meshMtls('STRICT')]));
  const ca = await testCa();
  const sleep = await mintSvid(ca, 'default', 'sleep');
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  onFileEnd(() => agent.destroy());
  assert.equal((await request(h.port, { path: '/1', tls: sleep, agent })).status, 200);
  const before = await serialOfNewHandshake(h.port, sleep);
  const renewed = await mintSvid(ca, 'istioinaction', 'webapp');
  h.identity.set(renewed);
  assert.equal((await request(h.port, { path: '/2', tls: sleep, agent })).status, 200);
  const afterSerial = await serialOfNewHandshake(h.port, sleep);
  assert.notEqual(afterSerial, before);
  assert.equal(afterSerial.toLowerCase().replace(/^0+/, ''), renewed.serial.toLowerCase().replace(/^0+/, ''));
  assert.equal(h.proxy.tls.serial(), afterSerial);
  // Both requests used one connection: the renewal dropped nothing.
  const remotes = new Set(h.lines.filter((l) => l.includes('"GET /')).map((l) => l.split(' ').at(-3)));
  assert.equal(remotes.size, 1, h.lines.join('\n'));
});
