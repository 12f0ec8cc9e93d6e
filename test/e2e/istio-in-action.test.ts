/**
 * The Istio in Action chapter 9 walk-through (seed 004, sections 9.2 and 9.3) on a
 * real local mesh: `meshguard up -f examples/istio-in-action`, the chapter's YAML
 * applied step by step with `meshguard apply`, traffic sent by real `curl` through
 * `meshguard exec default/sleep`, the SVID read by real `openssl s_client`.
 * Each step asserts the outcome the seed shows. Steps build on each other, in order.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CH9, localMesh } from './local-mesh.js';

const mesh = localMesh('mg-e2e-');
const { meshguard, sleepCurl, apply, dataDir } = mesh;
const sidecarLog = (name: string) => mesh.log(`istioinaction.${name}.sidecar.log`);

before(() => mesh.start());
after(() => mesh.stop());

describe('Istio in Action 9.2 on a local mesh: mutual TLS', () => {
  it('9.2.1: the legacy sleep workload reaches webapp in plaintext (PERMISSIVE by default)', async () => {
    const r = await sleepCurl('webapp.istioinaction/api/catalog');
    assert.equal(r.status, '200');
    assert.match(r.body, /"name"/, 'webapp answered with catalog\'s items');
  });

  it('mesh-wide STRICT: plaintext is refused, curl prints 000 and exits 56, the proxy logs NR filter_chain_not_found', async () => {
    await apply('meshwide-strict-peer-authn.yaml');
    const r = await sleepCurl('webapp.istioinaction/api/catalog');
    assert.equal(r.status, '000');
    assert.equal(r.exit, 56);
    assert.match(sidecarLog('webapp'), /"- - -" 0 NR filter_chain_not_found/);
  });

  it('namespace-wide PERMISSIVE overrides the mesh policy', async () => {
    await apply('namespace-permissive-peer-authn.yaml');
    assert.equal((await sleepCurl('webapp.istioinaction/api/catalog')).status, '200');
    const r = await meshguard(['delete', '-f', `${CH9}/namespace-permissive-peer-authn.yaml`]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('workload-specific PERMISSIVE: webapp accepts plaintext while catalog stays STRICT', async () => {
    await apply('workload-permissive-peer-authn.yaml');
    assert.equal((await sleepCurl('webapp.istioinaction/api/catalog')).status, '200');
    const direct = await sleepCurl('catalog.istioinaction/items');
    assert.equal(direct.status, '000');
    assert.equal(direct.exit, 56);
  });

  it("openssl s_client sees catalog's SVID: URI:spiffe://cluster.local/ns/istioinaction/sa/catalog", async () => {
    const catalog = JSON.parse(readFileSync(join(dataDir, 'proxies', 'istioinaction.catalog.json'), 'utf8')) as { address: string };
    const text = await new Promise<string>((done) => {
      const p = execFile('sh', ['-c', `openssl s_client -connect ${catalog.address}:3000 -showcerts </dev/null 2>/dev/null | openssl x509 -noout -text`], { timeout: 15_000 }, (_e, stdout) => done(stdout));
      p.stdin?.end();
    });
    assert.match(text, /URI:spiffe:\/\/cluster\.local\/ns\/istioinaction\/sa\/catalog/);
    assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);
  });
});

describe('Istio in Action 9.3 on a local mesh: authorization', () => {
  it('allow-catalog-requests-in-web-app: /api/catalog passes, other paths get 403 RBAC: access denied', async () => {
    await apply('allow-catalog-requests-in-web-app.yaml');
    assert.equal((await sleepCurl('webapp.istioinaction/api/catalog')).status, '200');
    const denied = await sleepCurl('webapp.istioinaction/hello/world');
    assert.equal(denied.status, '403');
    assert.equal(denied.body, 'RBAC: access denied');
    assert.equal((await meshguard(['delete', '-f', `${CH9}/allow-catalog-requests-in-web-app.yaml`])).code, 0);
  });

  it('the mesh-wide deny-all denies everything, logged as rbac_access_denied_matched_policy[none]', async () => {
    await apply('policy-deny-all-mesh.yaml');
    assert.equal((await sleepCurl('webapp.istioinaction/api/catalog')).status, '403');
    assert.match(sidecarLog('webapp'), /"GET \/api\/catalog HTTP\/1\.1" 403 - rbac_access_denied_matched_policy\[none\]/);
  });

  it('webapp-allow-view-default-ns does not help the legacy workload: it has no peer identity', async () => {
    await apply('webapp-allow-view-default-ns.yaml');
    assert.equal((await sleepCurl('webapp.istioinaction/api/catalog')).status, '403');
  });

  it("allowing unauthenticated GETs on webapp: webapp answers 500 because deny-all still blocks its call to catalog", async () => {
    await apply('allow-unauthenticated-view-default-ns.yaml');
    const r = await sleepCurl('webapp.istioinaction/api/catalog');
    assert.equal(r.status, '500');
    assert.equal(r.body, 'error calling Catalog service');
  });

  it('catalog-viewer admits webapp\'s service account: the whole chain answers 200', async () => {
    await apply('catalog-viewer-policy.yaml');
    assert.equal((await sleepCurl('webapp.istioinaction/api/catalog')).status, '200');
    // The inbound line on catalog's sidecar, after the 403s of the deny-all step.
    assert.match(sidecarLog('catalog').split('\n').filter((l) => l.includes('inbound|3000')).pop() ?? '', /"GET \/items HTTP\/1\.1" 200/);
  });

  it('an invalid policy is refused and the last good configuration keeps serving', async () => {
    const bad = await meshguard(['apply', '-f', 'test/fixtures/config/seed-004-typo.yaml']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /seed-004-typo\.yaml:\d+:\d+/);
    assert.equal((await sleepCurl('webapp.istioinaction/api/catalog')).status, '200');
  });
});

describe('meshguard down', () => {
  it('stops the mesh: up exits 0', async () => {
    const r = await meshguard(['down']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await mesh.exited(), 0, mesh.stderr());
  });
});
