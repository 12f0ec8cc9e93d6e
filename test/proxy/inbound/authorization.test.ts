import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleFile, meshMtls, snapshotFor } from '../support/snapshot.js';
import { startHarness, waitFor } from '../support/harness.js';
import { request } from '../support/client.js';
import { mintSvid, testCa } from '../support/svid.js';

const CH9 = 'ch9';

test('seed 004 9.3: deny-all answers 403 RBAC: access denied and logs the default deny', async () => {
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE'), exampleFile(`${CH9}/policy-deny-all-mesh.yaml`)]));
  const r = await request(h.port, { path: '/api/catalog', headers: { 'user-agent': 'curl/8.5.0' } });
  assert.equal(r.status, 403);
  assert.equal(r.body, 'RBAC: access denied');
  assert.equal(h.app.seen.length, 0);
  await waitFor(() => h.lines.length > 0);
  assert.match(h.lines[0] as string, /"GET \/api\/catalog HTTP\/1\.1" 403 - rbac_access_denied_matched_policy\[none\] - "-" 0 19 \d+ - "-" "curl\/8\.5\.0" "[0-9a-f-]{36}" "127\.0\.0\.1:\d+" "-" inbound\|\d+\|\| - 127\.0\.0\.1:\d+ 127\.0\.0\.1:\d+ - default$/);
});

test('seed 004 9.3: webapp-allow-view-default-ns lets GET from the default namespace through, nothing else', async () => {
  const h = await startHarness(snapshotFor([
    meshMtls('PERMISSIVE'), exampleFile(`${CH9}/policy-deny-all-mesh.yaml`), exampleFile(`${CH9}/webapp-allow-view-default-ns.yaml`),
  ]));
  const ca = await testCa();
  const sleep = await mintSvid(ca, 'default', 'sleep');
  const other = await mintSvid(ca, 'other', 'sleep');
  assert.equal((await request(h.port, { path: '/api/catalog', tls: sleep })).status, 200);
  const post = await request(h.port, { path: '/api/catalog', method: 'POST', tls: sleep });
  assert.deepEqual([post.status, post.body], [403, 'RBAC: access denied']);
  assert.equal((await request(h.port, { path: '/api/catalog', tls: other })).status, 403);
  // Plaintext has no namespace: the rule cannot match.
  assert.equal((await request(h.port, { path: '/api/catalog' })).status, 403);
});

test('seed 004 9.3: allow-catalog-requests-in-web-app allows /api/catalog* only', async () => {
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE'), exampleFile(`${CH9}/allow-catalog-requests-in-web-app.yaml`)]));
  assert.equal((await request(h.port, { path: '/api/catalog/items' })).status, 200);
  assert.equal((await request(h.port, { path: '/api/orders' })).status, 403);
});

test('a matching DENY rule is named in the access log', async () => {
  const deny = { file: 'deny.yaml', text: 'apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: x, namespace: istioinaction}\nspec:\n  action: DENY\n  rules:\n  - to: [{operation: {paths: ["/admin*"]}}]\n' };
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE'), deny]));
  assert.equal((await request(h.port, { path: '/admin/users' })).status, 403);
  await waitFor(() => h.lines.length > 0);
  assert.match(h.lines[0] as string, / 403 - rbac_access_denied_matched_policy\[ns\[istioinaction\]-policy\[x\]-rule\[0\]\] /);
});

test('the path is normalized before authorization and the app receives the normalized path', async () => {
  const deny = { file: 'deny.yaml', text: 'apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: x, namespace: istioinaction}\nspec:\n  action: DENY\n  rules:\n  - to: [{operation: {paths: ["/admin"]}}]\n' };
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE'), deny]));
  assert.equal((await request(h.port, { path: '/public/../admin' })).status, 403);
  assert.equal((await request(h.port, { path: '/public/../%61dmin' })).status, 403);
  const ok = await request(h.port, { path: '/public/./x/../y?q=1' });
  assert.equal(ok.status, 200);
  assert.equal(h.app.seen.at(-1)?.url, '/public/y?q=1');
});

test('a path with %00 is refused with 400 before it reaches the app', async () => {
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]));
  const r = await request(h.port, { path: '/a%00b' });
  assert.equal(r.status, 400);
  assert.equal(h.app.seen.length, 0);
  await waitFor(() => h.lines.length > 0);
  assert.match(h.lines[0] as string, / 400 - path_normalization_failed /);
});

test('a snapshot update swaps the policies; one that does not compile is refused and the old one stays', async () => {
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]));
  assert.equal((await request(h.port, { path: '/x' })).status, 200);
  const next = snapshotFor([meshMtls('PERMISSIVE'), exampleFile(`${CH9}/policy-deny-all-mesh.yaml`)], '2');
  assert.deepEqual(h.proxy.updateSnapshot(next), { ok: true, version: '2' });
  assert.equal((await request(h.port, { path: '/x' })).status, 403);
  const broken = { ...next, version: '3', authorizationPolicies: null as never };
  const res = h.proxy.updateSnapshot(broken);
  assert.equal(res.ok, false);
  assert.equal(!res.ok && res.error.code, 'MG_PROXY_SNAPSHOT_REJECTED');
  assert.equal(h.proxy.version, '2');
  assert.equal((await request(h.port, { path: '/x' })).status, 403);
});
