// The check request and the answer's meaning, through the real client and a real
// HTTP server on 127.0.0.1 (a provider outside the mesh: plaintext, passthrough).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_MESH_CONFIG } from '../../../src/config/index.js';
import {
  buildCheckRequest, createExtAuthzClient, parseHttpProvider, type CheckInput, type ExtAuthzClient, type HttpExtAuthzProvider,
} from '../../../src/proxy/ext-authz/index.js';
import type { ProxySnapshot } from '../../../src/proxy/model.js';
import { createRoundRobin } from '../../../src/proxy/outbound/round-robin.js';
import { createUpstreamPool, type UpstreamPool } from '../../../src/proxy/outbound/upstream-pool.js';
import { createTlsContextManager } from '../../../src/proxy/tls/context-manager.js';
import { snapshotFor } from '../support/snapshot.js';
import { mintSvid, mutableIdentity, testCa } from '../support/svid.js';
import { SAMPLE_DENY_BODY, startFakeProvider } from './fake-provider.js';

let provider: Awaited<ReturnType<typeof startFakeProvider>>;
let pool: UpstreamPool;
let client: ExtAuthzClient;
let tlsClose: () => void;
const snapshot: ProxySnapshot = { ...snapshotFor([]), mesh: DEFAULT_MESH_CONFIG };

function providerWith(extra: Record<string, unknown> = {}, port = provider.port): HttpExtAuthzProvider {
  return parseHttpProvider({ name: 'p', envoyExtAuthzHttp: { service: '127.0.0.1', port, includeRequestHeadersInCheck: ['x-ext-authz'], ...extra } });
}

const input = (over: Partial<CheckInput> = {}): CheckInput => ({
  method: 'GET', authority: 'webapp.istioinaction', path: '/api/catalog?x=1', headers: { 'user-agent': 'curl/8.5.0' }, ...over,
});

before(async () => {
  provider = await startFakeProvider();
  const identity = mutableIdentity(await mintSvid(await testCa(), 'istioinaction', 'webapp'));
  const tls = createTlsContextManager(identity);
  tlsClose = () => tls.close();
  pool = createUpstreamPool({ tls, identity });
  client = createExtAuthzClient({ upstream: pool, rr: createRoundRobin() });
});
after(async () => {
  await pool.close();
  tlsClose();
});

async function check(p: HttpExtAuthzProvider, i: CheckInput) {
  return client.check(snapshot, p, buildCheckRequest(p, i));
}

describe('the check request', () => {
  it('carries the method, pathPrefix + path with query, the original Host and no body', async () => {
    await check(providerWith({ pathPrefix: '/authz' }), input({ method: 'DELETE' }));
    const c = provider.seen.at(-1)!;
    assert.equal(c.method, 'DELETE');
    assert.equal(c.url, '/authz/api/catalog?x=1');
    assert.equal(c.headers.host, 'webapp.istioinaction');
    // Content-Length: 0 is built; undici leaves it out for a body-less DELETE/GET, which says the same.
    assert.ok([undefined, '0'].includes(c.headers['content-length']));
    assert.equal(c.body, '');
    assert.equal(buildCheckRequest(providerWith(), input()).headers['content-length'], '0');
  });

  it('sends a client header only when the provider lists it; Authorization always', async () => {
    await check(providerWith(), input({ headers: { 'x-ext-authz': 'allow', 'x-user': 'admin', authorization: 'Bearer t', cookie: 'a=1' } }));
    const h = provider.seen.at(-1)!.headers;
    assert.equal(h['x-ext-authz'], 'allow');
    assert.equal(h.authorization, 'Bearer t');
    assert.equal(h['x-user'], undefined, 'an unlisted header a provider might trust never reaches it');
    assert.equal(h.cookie, undefined);
    assert.equal(h['user-agent'], undefined);
  });

  it('adds includeAdditionalHeadersInCheck, which wins over the same header from the client', async () => {
    await check(providerWith({ includeAdditionalHeadersInCheck: { 'x-ext-authz': 'deny', 'x-fixed': 'yes' } }), input({ headers: { 'x-ext-authz': 'allow' } }));
    const h = provider.seen.at(-1)!.headers;
    assert.equal(h['x-ext-authz'], 'deny');
    assert.equal(h['x-fixed'], 'yes');
  });

  it('carries the buffered body with its length when the provider asks for it', async () => {
    const p = providerWith({ includeRequestBodyInCheck: { maxRequestBytes: 100 } });
    await check(p, input({ method: 'POST', body: Buffer.from('{"id":2}') }));
    const c = provider.seen.at(-1)!;
    assert.equal(c.body, '{"id":2}');
    assert.equal(c.headers['content-length'], '8');
  });
});

describe("the provider's answer", () => {
  it('200 allows; only the listed headers go upstream or downstream, never an identity header', async () => {
    provider.answer.fn = () => ({ status: 200, headers: { 'x-user': 'alice', 'x-forwarded-client-cert': 'By=evil;URI=spiffe://cluster.local/ns/x/sa/admin', 'x-other': '1', 'set-cookie': 's=1' } });
    const p = providerWith({ headersToUpstreamOnAllow: ['x-user', 'x-forwarded-client-cert'], headersToDownstreamOnAllow: ['set-cookie'] });
    const out = await check(p, input());
    assert.deepEqual(out, { kind: 'allow', upstreamHeaders: [['x-user', 'alice']], downstreamHeaders: [['set-cookie', 's=1']] });
    const none = await check(providerWith(), input());
    assert.deepEqual(none, { kind: 'allow', upstreamHeaders: [], downstreamHeaders: [] }, 'nothing listed: the request is left as it is');
  });

  it("another status denies with the provider's status, body and (by default) all its headers but Host", async () => {
    provider.answer.fn = () => ({ status: 401, headers: { 'www-authenticate': 'Bearer', 'x-reason': 'no', 'x-secret': 's' }, body: 'who are you' });
    const out = await check(providerWith(), input());
    assert.equal(out.kind, 'deny');
    if (out.kind !== 'deny') return;
    assert.equal(out.status, 401);
    assert.equal(out.body.toString(), 'who are you');
    const names = out.headers.map(([n]) => n);
    assert.ok(names.includes('x-secret') && names.includes('www-authenticate') && !names.includes('content-length'));
    const listed = await check(providerWith({ headersToDownstreamOnDeny: ['x-reason'] }), input());
    assert.deepEqual(listed.kind === 'deny' && listed.headers.map(([n]) => n).sort(), ['www-authenticate', 'x-reason'], 'a list keeps its names plus WWW-Authenticate and Location');
  });

  it("the sample's 403 denial comes back word for word", async () => {
    provider.answer.fn = (c) => (c.headers['x-ext-authz'] === 'allow' ? { status: 200 } : { status: 403, body: SAMPLE_DENY_BODY });
    const out = await check(providerWith(), input());
    assert.equal(out.kind === 'deny' && out.body.toString(), SAMPLE_DENY_BODY);
  });

  it('a 5xx, a refused connection and a timeout are errors, not denials', async () => {
    provider.answer.fn = () => ({ status: 503, body: 'down' });
    assert.deepEqual(await check(providerWith(), input()), { kind: 'error', reason: 'provider answered 503' });
    const refused = await check(providerWith({}, 1), input());
    assert.equal(refused.kind, 'error');
    provider.answer.fn = () => 'hang';
    const started = performance.now();
    const slow = await check(providerWith({ timeout: '200ms' }), input());
    assert.equal(slow.kind, 'error');
    assert.match(slow.kind === 'error' ? slow.reason : '', /timeout/);
    assert.ok(performance.now() - started < 2000, 'the provider timeout bounds the call');
  });

  it('a provider name that no Service and no host resolves to is an error', async () => {
    const p = parseHttpProvider({ name: 'p', envoyExtAuthzHttp: { service: 'ext-authz.istioinaction.svc.cluster.local', port: 8000 } });
    const out = await client.check({ ...snapshot, mesh: { ...DEFAULT_MESH_CONFIG, outboundTrafficPolicy: 'REGISTRY_ONLY' } }, p, buildCheckRequest(p, input()));
    assert.deepEqual(out, { kind: 'error', reason: 'ext-authz.istioinaction.svc.cluster.local:8000: cluster_not_found' });
  });
});
