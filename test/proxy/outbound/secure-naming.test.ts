import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { mintSvid, testCa } from '../support/svid.js';
import { curl, endpoint, service, snapshotWith, startNamedApp, startOutbound, startSidecar, waitFor } from './support.js';

function rawConnect(port: number, target: string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
    let got = '';
    s.setTimeout(5000, () => s.destroy());
    s.on('data', (b: Buffer) => { got += b.toString(); if (got.includes('\r\n\r\n')) s.destroy(); });
    s.on('close', () => resolve(got)).on('error', () => {});
  });
}

describe('secure naming on the mTLS hop', async () => {
  const ca = await testCa();
  const app = await startNamedApp('catalog');
  // The "catalog" endpoint's sidecar holds a valid SVID — of ratings, not catalog.
  const impostor = await startSidecar(await mintSvid(ca, 'istioinaction', 'ratings'), app.port);
  // Another mesh's CA signed this one, for the right name.
  const foreign = await startSidecar(await mintSvid(await testCa('other.example'), 'istioinaction', 'catalog'), app.port);
  const snapshot = snapshotWith(
    [
      service('catalog', 'istioinaction', [{ port: 80, targetPort: impostor.port }, { name: 'grpc', port: 9090, targetPort: impostor.port }]),
      service('foreign', 'istioinaction', [{ port: 80, targetPort: foreign.port }], { app: 'catalog-foreign' }),
    ],
    [
      endpoint('catalog', 'istioinaction', impostor.port, { ports: [{ port: impostor.port, protocol: 'grpc' }] }),
      endpoint('catalog-foreign', 'istioinaction', foreign.port, { labels: { app: 'catalog-foreign' }, spiffeId: 'spiffe://cluster.local/ns/istioinaction/sa/catalog' }),
    ],
  );
  const out = await startOutbound(snapshot);

  it('answers 503 (UF, secure naming) when the server presents another service’s SVID, and sends it nothing', async () => {
    const r = await curl(['-x', out.url, '-w', '\n%{http_code}', 'http://catalog/items']);
    assert.match(r.stdout, /TLS_error: secure naming: server identity spiffe:\/\/cluster\.local\/ns\/istioinaction\/sa\/ratings is not allowed for this service\n503$/);
    assert.equal(impostor.bytesToApp(), 0);
    assert.equal(app.seen.length, 0);
    await waitFor(() => out.lines.length > 0);
    const e = JSON.parse(out.lines[0] as string) as Record<string, unknown>;
    assert.equal(e.response_flags, 'UF');
    assert.match(String(e.upstream_transport_failure_reason), /^TLS_error: secure naming/);
  });

  it('refuses a CONNECT tunnel to the impostor with 503 before any byte flows', async () => {
    const head = await rawConnect(out.port, 'catalog.istioinaction:9090');
    assert.match(head, /^HTTP\/1\.1 503 /);
    assert.equal(impostor.bytesToApp(), 0);
  });

  it('answers 503 when the server’s certificate comes from another CA', async () => {
    const r = await curl(['-x', out.url, '-w', '\n%{http_code}', 'http://foreign/items']);
    assert.match(r.stdout, /TLS_error: .*\n503$/);
    assert.equal(foreign.bytesToApp(), 0);
    assert.equal(app.seen.length, 0);
  });
});
