import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { certificatesFromPem, parseBundleDocument } from '../../../src/identity/index.js';
import { startTestControlPlane, type TestControlPlane } from '../ca-service/support.js';

let t: TestControlPlane;
before(async () => { t = await startTestControlPlane(); });
after(async () => { await t.stop(); });

async function get(path: string, ca: string) {
  const url = new URL(t.cp.ca.bundleUrl);
  const dispatcher = new Agent({ connect: { ca, servername: 'localhost' } });
  try {
    const res = await request(`${url.origin}${path}`, { dispatcher });
    return { status: res.statusCode, type: res.headers['content-type'], text: await res.body.text() };
  } finally {
    await dispatcher.close();
  }
}

describe('SPIFFE bundle endpoint', () => {
  it('serves the bundle document over HTTPS with the control plane SVID, trusted through root-cert.pem', async () => {
    const r = await get('/bundle', t.rootPem());
    assert.equal(r.status, 200);
    assert.equal(r.type, 'application/json');
    const bundle = parseBundleDocument(r.text);
    assert.ok(bundle.x509Roots[0]!.equals(certificatesFromPem(t.rootPem())[0]!));
    assert.equal(bundle.jwtKeys.length, 1);
    assert.equal(bundle.sequence, 1);
    assert.ok((JSON.parse(r.text) as { spiffe_refresh_hint: number }).spiffe_refresh_hint > 0);
  });

  it('carries both roots after prepare and bumps spiffe_sequence at each step', async () => {
    await t.cp.ca.admin.rotate('prepare');
    const prepared = parseBundleDocument((await get('/bundle', t.rootPem())).text);
    assert.equal(prepared.x509Roots.length, 2);
    assert.equal(prepared.sequence, 2);
    await t.cp.ca.admin.rotate('activate');
    // The endpoint now serves an SVID from the new root: the refreshed root-cert.pem still verifies it.
    const activated = parseBundleDocument((await get('/bundle', t.rootPem())).text);
    assert.equal(activated.sequence, 3);
    assert.equal(activated.x509Roots.length, 2);
  });

  it('answers 404 for any other path', async () => {
    assert.equal((await get('/keys', t.rootPem())).status, 404);
  });
});
