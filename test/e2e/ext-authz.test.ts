/**
 * Istio in Action 9.5 (seed 004): CUSTOM authorization with Istio's sample external
 * authorizer, on a real local mesh. `meshguard up -f examples/istio-in-action` (its
 * own data directory, so it runs after istio-in-action.test.ts without sharing
 * anything), then the chapter's steps with `meshguard apply`: the ext-authz Service,
 * the mesh config with the `sample-ext-authz-http` provider (the `istio` ConfigMap),
 * the CUSTOM policy on webapp; traffic by real `curl` through `meshguard exec default/sleep`.
 * Steps build on each other, in order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { localMesh } from './local-mesh.js';

const DENY_BODY = 'denied by ext_authz for not found header `x-ext-authz: allow` in the request';
const mesh = localMesh('mg-e2e-extauthz-');
const { meshguard, sleepCurl, apply, log } = mesh;

const lastLine = (text: string, has: string) => text.split('\n').filter((l) => l.includes(has)).pop() ?? '';

/** The last line of a log with `has` once it matches `re` (logs are flushed a moment after the response), or the last seen. */
async function logLine(file: string, has: string, re: RegExp): Promise<string> {
  let line = '';
  for (const end = Date.now() + 3000; Date.now() < end; await new Promise((t) => setTimeout(t, 100))) {
    line = lastLine(log(file), has);
    if (re.test(line)) break;
  }
  return line;
}

before(() => mesh.start());
after(() => mesh.stop());

describe('Istio in Action 9.5 on a local mesh: external authorization (CUSTOM)', () => {
  it('before any policy, webapp answers', async () => {
    assert.equal((await sleepCurl('webapp.istioinaction/api/catalog')).status, '200');
  });

  it('deploys the sample authorizer: its Service (8000/TCP, 9000/TCP) selects the ext-authz workload', async () => {
    assert.match(await apply('ext-authz.yaml'), /^service\/ext-authz created$/m);
  });

  it('adds the sample-ext-authz-http provider to the mesh config by applying the istio ConfigMap', async () => {
    await apply('mesh-config-ext-authz.yaml');
    const running = await meshguard(['check', '--to', 'istioinaction/app=webapp:8080', '--path', '/api/catalog']);
    assert.equal(running.code, 0, running.stderr);
    assert.match(running.stdout, /Authz\s+ALLOW/, 'no CUSTOM policy yet: the provider alone changes nothing');
  });

  it('the CUSTOM policy: without x-ext-authz, 403 with the denial body; webapp logs 403 UAEX ext_authz_denied', async () => {
    assert.match(await apply('ext-authz-policy.yaml'), /^authorizationpolicy\.security\.istio\.io\/ext-authz created$/m);
    const r = await sleepCurl('webapp.istioinaction/api/catalog');
    assert.equal(r.status, '403');
    assert.equal(r.body, DENY_BODY);
    const denied = /"GET \/api\/catalog HTTP\/1\.1" 403 UAEX ext_authz_denied - "-" 0 76 /;
    assert.match(await logLine('istioinaction.webapp.sidecar.log', 'GET /api/catalog', denied), denied);
    const checked = /\[HTTP\]\[denied\]: GET webapp\.istioinaction\/api\/catalog, headers: map\[/;
    assert.match(await logLine('istioinaction.ext-authz.log', '[HTTP]', checked), checked);
  });

  it('with -H "x-ext-authz: allow": 200, and the check reached the authorizer over mTLS as webapp', async () => {
    const r = await sleepCurl('webapp.istioinaction/api/catalog', ['x-ext-authz: allow']);
    assert.equal(r.status, '200');
    assert.match(r.body, /"name"/);
    const check = await logLine('istioinaction.ext-authz.log', '[HTTP]', /\[allowed\]/);
    assert.match(check, /\[HTTP\]\[allowed\]: GET webapp\.istioinaction\/api\/catalog/);
    assert.match(check, /X-Ext-Authz:\[allow\]/);
    // Its sidecar's XFCC names the caller: webapp's sidecar, with webapp's SVID (auto mTLS + secure naming).
    assert.match(check, /X-Forwarded-Client-Cert:\[By=spiffe:\/\/cluster\.local\/ns\/istioinaction\/sa\/ext-authz;[^\]]*URI=spiffe:\/\/cluster\.local\/ns\/istioinaction\/sa\/webapp\]/);
    const passed = /"GET \/api\/catalog HTTP\/1\.1" 200 - via_upstream /;
    assert.match(await logLine('istioinaction.webapp.sidecar.log', 'GET /api/catalog', passed), passed);
  });

  it('the policy covers every path of webapp (paths: ["/*"])', async () => {
    const r = await sleepCurl('webapp.istioinaction/');
    assert.deepEqual([r.status, r.body], ['403', DENY_BODY]);
  });
});

describe('meshguard down', () => {
  it('stops the mesh: up exits 0', async () => {
    const r = await meshguard(['down']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await mesh.exited(), 0, mesh.stderr());
  });
});
