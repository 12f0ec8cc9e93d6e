// CUSTOM authorization end to end through one inbound proxy: the seed's ext-authz
// policy (examples/istio-in-action/ch9) in front of the echo app, the provider a
// real HTTP server on 127.0.0.1 (outside the mesh: plaintext, passthrough).
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { DEFAULT_MESH_CONFIG } from '../../../src/config/index.js';
import type { ExtensionProvider } from '../../../src/config/kinds.js';
import type { ProxySnapshot } from '../../../src/proxy/model.js';
import { SAMPLE_DENY_BODY, startFakeProvider } from '../ext-authz/fake-provider.js';
import { echoed, request } from '../support/client.js';
import { startHarness, waitFor } from '../support/harness.js';
import { exampleFile, meshMtls, snapshotFor } from '../support/snapshot.js';

const POLICY = exampleFile('ch9/ext-authz-policy.yaml');

function withProvider(snapshot: ProxySnapshot, provider: ExtensionProvider): ProxySnapshot {
  return { ...snapshot, mesh: { ...DEFAULT_MESH_CONFIG, extensionProviders: [provider] } };
}

function sampleProvider(port: number, extra: Record<string, unknown> = {}): ExtensionProvider {
  return { name: 'sample-ext-authz-http', envoyExtAuthzHttp: { service: '127.0.0.1', port, includeRequestHeadersInCheck: ['x-ext-authz'], ...extra } };
}

test("seed 004 9.5: without x-ext-authz the provider's 403 and body reach the client; the log says UAEX ext_authz_denied", async () => {
  const p = await startFakeProvider();
  const h = await startHarness(withProvider(snapshotFor([meshMtls('PERMISSIVE'), POLICY]), sampleProvider(p.port)));
  const r = await request(h.port, { path: '/api/catalog', headers: { 'user-agent': 'curl/8.5.0' } });
  assert.equal(r.status, 403);
  assert.equal(r.body, SAMPLE_DENY_BODY);
  assert.equal(r.headers['x-ext-authz-check-result'], 'denied');
  assert.equal(h.app.seen.length, 0);
  await waitFor(() => h.lines.length > 0);
  assert.match(h.lines[0] as string, /"GET \/api\/catalog HTTP\/1\.1" 403 UAEX ext_authz_denied - "-" 0 76 /);
});

test('seed 004 9.5: with x-ext-authz: allow the request reaches the app unchanged', async () => {
  const p = await startFakeProvider();
  const h = await startHarness(withProvider(snapshotFor([meshMtls('PERMISSIVE'), POLICY]), sampleProvider(p.port)));
  const r = await request(h.port, { path: '/api/catalog', headers: { 'x-ext-authz': 'allow' } });
  assert.equal(r.status, 200);
  assert.equal(echoed(r).url, '/api/catalog');
  assert.equal(p.seen.at(-1)?.url, '/api/catalog');
  assert.equal(r.headers['x-ext-authz-check-result'], undefined, 'no headersToDownstreamOnAllow: the response is left alone');
});

test('after the provider allows, DENY policies still apply', async () => {
  const p = await startFakeProvider();
  const deny = { file: 'deny.yaml', text: 'apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: no-admin, namespace: istioinaction}\nspec:\n  action: DENY\n  rules:\n  - to: [{operation: {paths: ["/admin*"]}}]\n' };
  const h = await startHarness(withProvider(snapshotFor([meshMtls('PERMISSIVE'), POLICY, deny]), sampleProvider(p.port)));
  const r = await request(h.port, { path: '/admin', headers: { 'x-ext-authz': 'allow' } });
  assert.deepEqual([r.status, r.body], [403, 'RBAC: access denied']);
  assert.equal(p.seen.length, 1, 'CUSTOM runs first: the provider was asked');
  assert.equal(h.app.seen.length, 0);
});

test('an unreachable provider: 403 UAEX ext_authz_error; statusOnError changes the code; failOpen lets it through', async () => {
  const closed = snapshotFor([meshMtls('PERMISSIVE'), POLICY]);
  const h = await startHarness(withProvider(closed, sampleProvider(1)));
  const r = await request(h.port, { path: '/api/catalog' });
  assert.deepEqual([r.status, r.body], [403, '']);
  await waitFor(() => h.lines.some((l) => l.includes('ext_authz_error')));
  assert.match(h.lines.find((l) => l.includes('ext_authz_error')) as string, / 403 UAEX ext_authz_error /);
  h.proxy.updateSnapshot({ ...withProvider(closed, sampleProvider(1, { statusOnError: '503' })), version: '2' });
  assert.equal((await request(h.port, { path: '/api/catalog' })).status, 503);
  h.proxy.updateSnapshot({ ...withProvider(closed, sampleProvider(1, { failOpen: true })), version: '3' });
  assert.equal((await request(h.port, { path: '/api/catalog' })).status, 200);
});

test('a provider that does not answer within its timeout is an error', async () => {
  const p = await startFakeProvider(() => 'hang');
  const h = await startHarness(withProvider(snapshotFor([meshMtls('PERMISSIVE'), POLICY]), sampleProvider(p.port, { timeout: '300ms' })));
  const r = await request(h.port, { path: '/api/catalog' });
  assert.equal(r.status, 403);
  await waitFor(() => h.lines.some((l) => l.includes('UAEX ext_authz_error')));
});

test('a gRPC provider is refused: every request the policy selects is denied, and the proxy says why once', async () => {
  const h = await startHarness(withProvider(snapshotFor([meshMtls('PERMISSIVE'), POLICY]), { name: 'sample-ext-authz-http', envoyExtAuthzGrpc: { service: '127.0.0.1', port: 9000 } }));
  assert.equal((await request(h.port, { path: '/api/catalog', headers: { 'x-ext-authz': 'allow' } })).status, 403);
  assert.equal((await request(h.port, { path: '/api/catalog' })).status, 403);
  const warnings = h.lines.filter((l) => l.startsWith('WARN'));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] as string, /envoyExtAuthzGrpc, which meshguard does not call yet/);
});

test('attack: a header the provider would trust is not forwarded to it unless the mesh config lists it', async () => {
  // A provider that trusts `x-user: admin` — the client tries to claim it.
  const p = await startFakeProvider((c) => (c.headers['x-user'] === 'admin' ? { status: 200 } : { status: 403, body: 'no' }));
  const h = await startHarness(withProvider(snapshotFor([meshMtls('PERMISSIVE'), POLICY]), sampleProvider(p.port)));
  assert.equal((await request(h.port, { path: '/api/catalog', headers: { 'x-user': 'admin' } })).status, 403);
  assert.equal(p.seen.at(-1)?.headers['x-user'], undefined);
});

test('attack: headersToUpstreamOnAllow cannot set X-Forwarded-Client-Cert (or peer metadata) on the request to the app', async () => {
  const forged = 'By=spiffe://cluster.local/ns/istioinaction/sa/webapp;URI=spiffe://cluster.local/ns/istio-system/sa/admin';
  const p = await startFakeProvider(() => ({ status: 200, headers: { 'x-forwarded-client-cert': forged, 'x-envoy-peer-metadata': 'forged', 'x-user': 'alice' } }));
  const h = await startHarness(withProvider(snapshotFor([meshMtls('PERMISSIVE'), POLICY]), sampleProvider(p.port, {
    headersToUpstreamOnAllow: ['x-forwarded-client-cert', 'x-envoy-*', 'x-user'],
  })));
  const r = await request(h.port, { path: '/api/catalog' });
  assert.equal(r.status, 200);
  const seen = echoed(r).headers;
  assert.equal(seen['x-user'], 'alice', 'a listed ordinary header is set');
  assert.equal(seen['x-forwarded-client-cert'], undefined);
  assert.equal(seen['x-envoy-peer-metadata'], undefined);
});

test('headersToUpstreamOnAllow replaces the client value; headersToDownstreamOnAllow/OnDeny pick what the client sees', async () => {
  const p = await startFakeProvider((c) => (c.headers['x-ext-authz'] === 'allow'
    ? { status: 200, headers: { 'x-user': 'alice', 'x-trace': 't1', 'x-internal': 'i' } }
    : { status: 403, headers: { 'x-reason': 'no header', 'x-internal': 'i' }, body: 'denied' }));
  const h = await startHarness(withProvider(snapshotFor([meshMtls('PERMISSIVE'), POLICY]), sampleProvider(p.port, {
    headersToUpstreamOnAllow: ['x-user'], headersToDownstreamOnAllow: ['x-trace'], headersToDownstreamOnDeny: ['x-reason'],
  })));
  const ok = await request(h.port, { path: '/api/catalog', headers: { 'x-ext-authz': 'allow', 'x-user': 'mallory' } });
  assert.equal(echoed(ok).headers['x-user'], 'alice');
  assert.equal(ok.headers['x-trace'], 't1');
  assert.equal(ok.headers['x-internal'], undefined);
  const no = await request(h.port, { path: '/api/catalog' });
  assert.deepEqual([no.status, no.body, no.headers['x-reason'], no.headers['x-internal']], [403, 'denied', 'no header', undefined]);
});

function post(port: number, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/api/catalog', method: 'POST', agent: false, headers: { 'x-ext-authz': 'allow', 'content-type': 'application/json' } }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (b += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('includeRequestBodyInCheck: the provider sees the body, the app still gets all of it; too big is 413 unless partial is allowed', async () => {
  const p = await startFakeProvider();
  const bodies: string[] = [];
  const app = http.createServer((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () => {
      bodies.push(b);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  const appPort = (app.address() as { port: number }).port;
  try {
    const snap = snapshotFor([meshMtls('PERMISSIVE'), POLICY]);
    const h = await startHarness(withProvider(snap, sampleProvider(p.port, { includeRequestBodyInCheck: { maxRequestBytes: 16 } })), { appPort });
    const small = '{"id": 2}';
    assert.equal((await post(h.port, small)).status, 200);
    assert.equal(p.seen.at(-1)?.body, small);
    assert.equal(bodies.at(-1), small);
    const big = 'x'.repeat(40);
    assert.equal((await post(h.port, big)).status, 413);
    h.proxy.updateSnapshot({ ...withProvider(snap, sampleProvider(p.port, { includeRequestBodyInCheck: { maxRequestBytes: 16, allowPartialMessage: true } })), version: '2' });
    assert.equal((await post(h.port, big)).status, 200);
    assert.equal(p.seen.at(-1)?.body, 'x'.repeat(16));
    assert.equal(bodies.at(-1), big, 'the app receives the whole body, not only what the provider saw');
  } finally {
    app.closeAllConnections();
    app.close();
  }
});
