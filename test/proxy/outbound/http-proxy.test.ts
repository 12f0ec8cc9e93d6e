import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici';
import { ORIGIN_FORM_HINT } from '../../../src/proxy/outbound/index.js';
import { catalogMesh, curl, waitFor } from './support.js';

describe('outbound HTTP proxy', async () => {
  const mesh = await catalogMesh();

  it('forwards curl -x to catalog over mTLS, presenting the client SVID', async () => {
    const before = mesh.sidecar.handshakes.length;
    const r = await curl(['-x', mesh.out.url, '-w', '\n%{http_code}', 'http://catalog.istioinaction/items']);
    assert.equal(r.stdout, 'catalog /items\n200');
    assert.ok(mesh.sidecar.handshakes.length >= Math.max(before, 1));
    assert.equal(mesh.sidecar.handshakes.at(-1)?.uri, 'spiffe://cluster.local/ns/istioinaction/sa/webapp');
  });

  it('is used by curl through the lowercase http_proxy variable', async () => {
    const r = await new Promise<{ stdout: string }>((resolve) => {
      import('node:child_process').then(({ execFile }) => execFile('/usr/bin/curl', ['-sS', '--max-time', '10', 'http://catalog/env'],
        { env: { PATH: process.env.PATH ?? '', http_proxy: mesh.out.url }, timeout: 15_000 }, (_e, stdout) => resolve({ stdout })));
    });
    assert.equal(r.stdout, 'catalog /env');
  });

  it("works for undici's fetch with EnvHttpProxyAgent", async () => {
    const dispatcher = new EnvHttpProxyAgent({ httpProxy: mesh.out.url, noProxy: '' });
    try {
      const res = await undiciFetch('http://catalog.istioinaction.svc.cluster.local/fetch', { dispatcher });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'catalog /fetch');
    } finally {
      await dispatcher.close();
    }
  });

  for (const host of ['catalog', 'catalog:80', 'catalog.istioinaction', 'catalog.istioinaction:80', 'catalog.istioinaction.svc', 'catalog.istioinaction.svc.cluster.local', 'catalog.istioinaction.svc.cluster.local:80']) {
    it(`resolves the name form ${host}`, async () => {
      const r = await curl(['-x', mesh.out.url, `http://${host}/n`]);
      assert.equal(r.stdout, 'catalog /n');
    });
  }

  it('sends Host as written in the URI, drops hop-by-hop headers and adds only x-forwarded-proto and x-request-id', async () => {
    const n = mesh.app.seen.length;
    await curl(['-x', mesh.out.url, '-H', 'Connection: x-secret', '-H', 'x-secret: 1', '-H', 'Proxy-Authorization: Basic eDp5', 'http://catalog.istioinaction/h']);
    const h = mesh.app.seen[n];
    assert.ok(h);
    assert.equal(h.host, 'catalog.istioinaction');
    assert.equal(h['x-secret'], undefined);
    assert.equal(h['proxy-authorization'], undefined);
    assert.equal(h['x-forwarded-proto'], 'http');
    assert.match(String(h['x-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(h['x-forwarded-for'], undefined);
    assert.equal(h['x-forwarded-client-cert'], undefined);
  });

  it('keeps an x-request-id the app set', async () => {
    const n = mesh.app.seen.length;
    await curl(['-x', mesh.out.url, '-H', 'x-request-id: abc-123', 'http://catalog/h']);
    assert.equal(mesh.app.seen[n]?.['x-request-id'], 'abc-123');
  });

  it('forwards a request body', async () => {
    const r = await curl(['-x', mesh.out.url, '--data-binary', 'hello', 'http://catalog/post']);
    assert.equal(r.stdout, 'catalog /post');
  });

  it('answers an origin-form request 400 with a hint to use it as a proxy', async () => {
    const r = await curl(['-w', '\n%{http_code}', `${mesh.out.url}/items`]);
    assert.equal(r.stdout, `${ORIGIN_FORM_HINT}\n400`);
  });

  it('logs the request with the outbound cluster and the endpoint', async () => {
    const n = mesh.out.lines.length;
    await curl(['-x', mesh.out.url, 'http://catalog/logged']);
    await waitFor(() => mesh.out.lines.length > n);
    const e = JSON.parse(mesh.out.lines.at(-1) as string) as Record<string, unknown>;
    assert.equal(e.upstream_cluster, 'outbound|80||catalog.istioinaction.svc.cluster.local');
    assert.equal(e.upstream_host, `127.0.0.1:${mesh.sidecar.port}`);
    assert.equal(e.response_code, 200);
  });
});
