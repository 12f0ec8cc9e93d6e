import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MESH_CONFIG } from '../../../src/config/index.js';
import { durationMs, extAuthzProviders, headerMatches, headerPattern, mapCheckResponse, parseHttpProvider } from '../../../src/proxy/ext-authz/index.js';

const seed = { name: 'sample-ext-authz-http', envoyExtAuthzHttp: { service: 'ext-authz.istioinaction.svc.cluster.local', port: '8000', includeRequestHeadersInCheck: ['x-ext-authz'] } };

describe('envoyExtAuthzHttp provider settings', () => {
  it("reads the seed's provider with Istio's defaults: 600 s timeout, 403 on error, closed on failure, no body", () => {
    const p = parseHttpProvider(seed);
    assert.equal(p.port, 8000);
    assert.equal(p.timeoutMs, 600_000);
    assert.equal(p.statusOnError, 403);
    assert.equal(p.failOpen, false);
    assert.equal(p.pathPrefix, '');
    assert.equal(p.body, undefined);
    assert.deepEqual(p.includeRequestHeaders, [{ kind: 'exact', value: 'x-ext-authz' }]);
    assert.equal(p.downstreamOnDeny, undefined);
  });

  it('reads every optional field', () => {
    const p = parseHttpProvider({ name: 'x', envoyExtAuthzHttp: {
      service: 'authz', port: 9000, timeout: '1.5s', pathPrefix: '/check', failOpen: true, statusOnError: '503',
      includeHeadersInCheck: ['x-old'], includeAdditionalHeadersInCheck: { 'X-Fixed': 'v' },
      headersToUpstreamOnAllow: ['x-user'], headersToDownstreamOnAllow: ['set-cookie'], headersToDownstreamOnDeny: ['x-reason'],
      includeRequestBodyInCheck: { maxRequestBytes: 10, allowPartialMessage: true },
    } });
    assert.equal(p.timeoutMs, 1500);
    assert.equal(p.statusOnError, 503);
    assert.equal(p.failOpen, true);
    assert.deepEqual(p.includeRequestHeaders, [{ kind: 'exact', value: 'x-old' }]);
    assert.deepEqual(p.additionalHeaders, [['x-fixed', 'v']]);
    assert.deepEqual(p.body, { maxRequestBytes: 10, allowPartialMessage: true });
    assert.deepEqual(p.downstreamOnDeny, [{ kind: 'exact', value: 'x-reason' }]);
  });

  it('refuses a statusOnError that is no HTTP status, a missing port and a path prefix without a slash', () => {
    for (const bad of [{ statusOnError: 'teapot' }, { statusOnError: '99' }, { port: undefined }, { pathPrefix: 'check' }, { timeout: '0s' }]) {
      assert.throws(() => parseHttpProvider({ name: 'x', envoyExtAuthzHttp: { ...seed.envoyExtAuthzHttp, ...bad } }), { code: 'MG_EXT_AUTHZ_INVALID_PROVIDER' });
    }
  });

  it("matches header names as Istio's patterns do: exact, prefix*, *suffix, case-insensitive", () => {
    assert.equal(headerMatches('x-user-id', [headerPattern('X-User-*')]), true);
    assert.equal(headerMatches('session-token', [headerPattern('*-token')]), true);
    assert.equal(headerMatches('x-ext-authz', [headerPattern('X-Ext-Authz')]), true);
    assert.equal(headerMatches('x-ext-authz-2', [headerPattern('x-ext-authz')]), false);
    assert.equal(headerMatches('anything', [headerPattern('*')]), false, 'a lone * is a literal name, not a wildcard');
  });

  it('reads Go durations', () => {
    assert.equal(durationMs('1m30s'), 90_000);
    assert.equal(durationMs('250ms'), 250);
    assert.equal(durationMs('10'), undefined);
    assert.equal(durationMs(''), undefined);
  });

  it('lists a gRPC provider and a tracer as providers the proxy cannot call, with the reason', () => {
    const map = extAuthzProviders({ ...DEFAULT_MESH_CONFIG, extensionProviders: [seed, { name: 'opa', envoyExtAuthzGrpc: { service: 'opa', port: 9191 } }, { name: 'zipkin', zipkin: {} }] });
    assert.equal(map.get('sample-ext-authz-http')?.ok, true);
    const grpc = map.get('opa');
    assert.equal(grpc?.ok, false);
    assert.match(!grpc?.ok ? grpc?.reason ?? '' : '', /envoyExtAuthzGrpc, which meshguard does not call yet/);
    assert.equal(map.get('zipkin')?.ok, false);
  });
});

describe('loading a mesh config with a gRPC provider', () => {
  it('is accepted, as Istio accepts it, with a note that CUSTOM policies naming it deny', async () => {
    const { parseDocuments } = await import('../../../src/config/index.js');
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |-\n    extensionProviders:\n    - name: opa\n      envoyExtAuthzGrpc: {service: opa.opa.svc.cluster.local, port: 9191}\n    - name: http\n      envoyExtAuthzHttp: {service: authz, port: 8000}\n';
    const r = parseDocuments([{ file: 'cm.yaml', text: cm }]);
    assert.deepEqual(r.errors, []);
    assert.equal(r.notes.length, 1);
    assert.match(r.notes[0] as string, /^cm\.yaml:1: extension provider "opa" is envoyExtAuthzGrpc, which meshguard's proxies do not call yet: CUSTOM policies naming it deny/);
  });
});

describe("the provider's answer", () => {
  it('is an error, not an allow, when a header it hands on could split a head (the fast path writes them unchecked)', () => {
    const p = parseHttpProvider({ name: 'x', envoyExtAuthzHttp: { ...seed.envoyExtAuthzHttp, headersToUpstreamOnAllow: ['x-user'], headersToDownstreamOnAllow: ['x-note'] } });
    const ok = mapCheckResponse(p, { status: 200, headers: { 'x-user': 'alice', 'x-note': 'hi' }, body: Buffer.alloc(0) });
    assert.deepEqual(ok, { kind: 'allow', upstreamHeaders: [['x-user', 'alice']], downstreamHeaders: [['x-note', 'hi']] });
    for (const headers of [{ 'x-user': 'alice\r\nx-forwarded-client-cert: forged' }, { 'x-note': 'a\nb' }]) {
      const out = mapCheckResponse(p, { status: 200, headers, body: Buffer.alloc(0) });
      assert.equal(out.kind, 'error', JSON.stringify(headers));
    }
  });
});
