/**
 * gRPC through two real sidecars: a grpc-js server app behind one (Workload port
 * protocol `grpc`), a grpc-js client app (`test/fixtures/fault/grpc-client.mjs`, a
 * child process) using the other as `http_proxy`. Unary and server-streaming calls,
 * trailers and statuses arrive; an AuthorizationPolicy on `/fault.Echo/<Method>`
 * allows some methods and denies another with PERMISSION_DENIED.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Metadata, Server, ServerCredentials, status, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData } from '@grpc/grpc-js';
import { Mesh, run, workloadYaml, type SidecarHandle } from './mesh-harness.js';

const echo = { namespace: 'grpc', name: 'echo', address: '127.93.1.1', appAddress: '127.93.2.1', port: 50051, protocol: 'grpc' };
const caller = { namespace: 'grpc', name: 'caller', address: '127.93.1.2', appAddress: '127.93.2.2', port: 8080 };

const json = { serialize: (v: unknown) => Buffer.from(JSON.stringify(v)), deserialize: (b: Buffer) => JSON.parse(b.toString()) as unknown };
const def = (name: string, responseStream: boolean) => ({
  path: `/fault.Echo/${name}`, requestStream: false, responseStream, originalName: name,
  requestSerialize: json.serialize, requestDeserialize: json.deserialize, responseSerialize: json.serialize, responseDeserialize: json.deserialize,
});

const onlySomeMethods = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: echo-methods
  namespace: grpc
spec:
  selector:
    matchLabels:
      app: echo
  action: ALLOW
  rules:
  - to:
    - operation:
        paths: ["/fault.Echo/Say", "/fault.Echo/Count", "/fault.Echo/Fail"]
`;


const mesh = new Mesh();
const grpcServer = new Server();
let callerSidecar: SidecarHandle;
let echoSidecar: SidecarHandle;

function trailer(value: string): Metadata {
  const md = new Metadata();
  md.set('x-echo-trailer', value);
  return md;
}

before(async () => {
  grpcServer.addService({ Say: def('Say', false), Fail: def('Fail', false), Secret: def('Secret', false), Count: def('Count', true) }, {
    Say: (call: ServerUnaryCall<{ text: string }, unknown>, cb: sendUnaryData<unknown>) => cb(null, { text: `echo: ${call.request.text}` }, trailer('said')),
    Fail: (_call: ServerUnaryCall<unknown, unknown>, cb: sendUnaryData<unknown>) => cb({ code: status.NOT_FOUND, details: 'no such thing', metadata: trailer('failed') }),
    Secret: (_call: ServerUnaryCall<unknown, unknown>, cb: sendUnaryData<unknown>) => cb(null, { text: 'the secret' }),
    Count: (call: ServerWritableStream<{ n: number }, unknown>) => {
      for (let i = 1; i <= call.request.n; i++) call.write({ i });
      call.end(trailer('counted'));
    },
  });
  await new Promise<void>((ok, fail) => grpcServer.bindAsync(`${echo.appAddress}:${echo.port}`, ServerCredentials.createInsecure(), (e) => (e ? fail(e) : ok())));
  await mesh.startControlPlane();
  await mesh.apply(workloadYaml(echo) + workloadYaml(caller) + onlySomeMethods);
  const [et, ct] = [await mesh.localToken('grpc', 'echo'), await mesh.localToken('grpc', 'caller')];
  echoSidecar = await mesh.sidecar('grpc/echo', et.file, echo.address, echo.appAddress);
  callerSidecar = await mesh.sidecar('grpc/caller', ct.file, caller.address, caller.appAddress);
});

after(async () => {
  grpcServer.forceShutdown();
  await mesh.close();
});

interface CallResult { method: string; messages: unknown[]; code: number; details: string; headers: Record<string, string>; trailers: Record<string, string> }

/** Runs the client app through the caller's sidecar; one result per method, in order. */
async function callThroughMesh(...methods: string[]): Promise<CallResult[]> {
  const env = { ...process.env, http_proxy: `http://${callerSidecar.outbound}`, grpc_proxy: '', no_proxy: '', NO_PROXY: '' };
  const r = await run(process.execPath, ['test/fixtures/fault/grpc-client.mjs', 'echo.grpc:80', ...methods], { env, timeout: 20_000 });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as CallResult);
}

describe('fault: gRPC through two sidecars', () => {
  it('carries a unary call with its response, OK status and trailers', async () => {
    const [say] = await callThroughMesh('Say');
    assert.equal(say!.code, status.OK, say!.details);
    assert.deepEqual(say!.messages, [{ text: 'echo: hi' }]);
    assert.equal(say!.trailers['x-echo-trailer'], 'said');
  });

  it("agrees on h2 by ALPN on the echo sidecar's mTLS port", async () => {
    const r = await run('sh', ['-c', `openssl s_client -connect ${echo.address}:${echo.port} -alpn h2,http/1.1 </dev/null 2>/dev/null`], { timeout: 10_000 });
    assert.match(r.stdout, /ALPN protocol: h2/);
  });

  it('carries a server-streaming call: every message, then OK and the trailers', async () => {
    const [count] = await callThroughMesh('Count');
    assert.equal(count!.code, status.OK, count!.details);
    assert.deepEqual(count!.messages, [{ i: 1 }, { i: 2 }, { i: 3 }]);
    assert.equal(count!.trailers['x-echo-trailer'], 'counted');
  });

  it("carries the app's error status with its details", async () => {
    const [fail] = await callThroughMesh('Fail');
    assert.equal(fail!.code, status.NOT_FOUND);
    assert.equal(fail!.details, 'no such thing');
  });

  it("keeps an error's custom trailing metadata in the trailers (a trailers-only answer)", async () => {
    const [fail] = await callThroughMesh('Fail');
    assert.equal(fail!.code, status.NOT_FOUND);
    assert.equal(fail!.headers['x-echo-trailer'], undefined, 'not moved into the initial metadata');
    assert.equal(fail!.trailers['x-echo-trailer'], 'failed');
  });

  it('denies the method the AuthorizationPolicy leaves out with PERMISSION_DENIED, logged as RBAC, and the app never answers it', async () => {
    const [secret, say] = await callThroughMesh('Secret', 'Say');
    assert.equal(secret!.code, status.PERMISSION_DENIED);
    assert.deepEqual(secret!.messages, []);
    assert.equal(say!.code, status.OK, 'the allowed method still passes on the same channel');
    const denied = echoSidecar.output().split('\n').filter((l) => l.includes('"POST /fault.Echo/Secret HTTP/2"'));
    assert.ok(denied.some((l) => / 403 - rbac_access_denied_matched_policy\[none\] /.test(l)), `echo's access log shows the RBAC denial: ${denied.join(' | ')}`);
  });

  it("answers a denied gRPC call as Envoy does: grpc-status 7 with grpc-message 'RBAC: access denied'", async () => {
    const [secret] = await callThroughMesh('Secret');
    assert.equal(secret!.code, status.PERMISSION_DENIED);
    assert.equal(secret!.details, 'RBAC: access denied');
  });
});
