import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ProxyAgent, request } from 'undici';
import { mintSvid } from '../support/svid.js';
import { catalogMesh } from './support.js';

describe('pooled mTLS to destination sidecars', async () => {
  const mesh = await catalogMesh();
  // The app keeps its own connection to the proxy, as a real client would.
  // proxyTunnel: false → absolute-URI requests (the forwarding path, not CONNECT).
  const app = new ProxyAgent({ uri: mesh.out.url, proxyTunnel: false });
  after(() => app.close());
  const get = async (path: string) => {
    const r = await request(`http://catalog.istioinaction${path}`, { dispatcher: app });
    const body = await r.body.text();
    return { status: r.statusCode, body };
  };

  it('serves 100 sequential requests with one TLS handshake', async () => {
    const before = mesh.sidecar.handshakes.length;
    for (let i = 0; i < 100; i++) assert.equal((await get(`/seq/${i}`)).status, 200);
    assert.equal(mesh.sidecar.handshakes.length - before, 1);
    assert.equal(mesh.out.proxy.stats().handshakes, 1);
  });

  it('drops no request when the SVID is renewed mid-run, and new handshakes present the new serial', async () => {
    const oldSerial = mesh.sidecar.handshakes.at(-1)?.serial;
    const renewed = await mintSvid(mesh.ca, 'istioinaction', 'webapp');
    const results: number[] = [];
    const worker = async (w: number) => {
      for (let i = 0; i < 40; i++) {
        if (w === 0 && i === 10) mesh.out.identity.set(renewed);
        results.push((await get(`/rot/${w}/${i}`)).status);
      }
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    assert.equal(results.length, 160);
    assert.deepEqual(results.filter((s) => s !== 200), []);
    const newSerial = renewed.serial.toUpperCase();
    assert.notEqual(oldSerial, newSerial);
    assert.equal(mesh.sidecar.handshakes.at(-1)?.serial, newSerial);
  });
});
