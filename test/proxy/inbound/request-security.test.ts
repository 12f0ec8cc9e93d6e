import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { inlineKeyResolver } from '../../../src/policy/jwt/index.js';
import { meshMtls, snapshotFor } from '../support/snapshot.js';
import { startHarness, waitFor } from '../support/harness.js';
import { echoed, request } from '../support/client.js';
import { mintSvid, testCa } from '../support/svid.js';

const ISS = 'auth@istioinaction.io';

async function jwtSetup() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
  const ra = {
    file: 'ra.yaml',
    text: `apiVersion: security.istio.io/v1beta1\nkind: RequestAuthentication\nmetadata: {name: jwt, namespace: istioinaction}\nspec:\n  selector: {matchLabels: {app: webapp}}\n  jwtRules:\n  - issuer: "${ISS}"\n    jwks: '${JSON.stringify({ keys: [jwk] })}'\n`,
  };
  const sign = (claims: Record<string, unknown>, exp: string | number = '1h') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(ISS).setSubject('user-1').setIssuedAt().setExpirationTime(exp).sign(privateKey);
  return { ra, sign };
}

test('a bad token is a 401 with Envoy\'s body and WWW-Authenticate; a good one reaches the app without the token', async () => {
  const { ra, sign } = await jwtSetup();
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE'), ra]));
  const good = await sign({ group: 'admin' });
  const forged = good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  const bad = await request(h.port, { path: '/x', headers: { authorization: `Bearer ${forged}`, host: 'webapp' } });
  assert.equal(bad.status, 401);
  assert.equal(bad.body, 'Jwt verification fails');
  assert.equal(bad.headers['www-authenticate'], 'Bearer realm="http://webapp/x", error="invalid_token"');
  await waitFor(() => h.lines.length > 0);
  assert.match(h.lines[0] as string, / 401 - jwt_authn_access_denied\{Jwt_verification_fails\} /);
  const ok = await request(h.port, { path: '/x', headers: { authorization: `Bearer ${good}` } });
  assert.equal(ok.status, 200);
  assert.equal(echoed(ok).headers.authorization, undefined, 'the token is not forwarded without forwardOriginalToken');
  assert.equal(h.app.seen.length, 1);
});

test('an expired token is refused with Jwt is expired', async () => {
  const { ra, sign } = await jwtSetup();
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE'), ra]));
  const old = await sign({}, Math.floor(Date.now() / 1000) - 3600);
  const r = await request(h.port, { path: '/x', headers: { authorization: `Bearer ${old}` } });
  assert.deepEqual([r.status, r.body], [401, 'Jwt is expired']);
});

test('request principals from a verified (and then cached) token drive authorization', async () => {
  const { ra, sign } = await jwtSetup();
  const allow = { file: 'a.yaml', text: `apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: jwt-only, namespace: istioinaction}\nspec:\n  rules:\n  - from: [{source: {requestPrincipals: ["${ISS}/*"]}}]\n` };
  const inline = inlineKeyResolver();
  let lookups = 0;
  const keys = { keysFor: (rule: Parameters<typeof inline.keysFor>[0]) => (lookups++, inline.keysFor(rule)) };
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE'), ra, allow]), { keys });
  assert.equal((await request(h.port, { path: '/x' })).status, 403);
  const token = await sign({});
  for (let i = 0; i < 3; i++) assert.equal((await request(h.port, { path: '/x', headers: { authorization: `Bearer ${token}` } })).status, 200);
  assert.equal(lookups, 1, 'the token is verified once, then served from the cache');
});

test('an X-Forwarded-Client-Cert sent by the client is stripped and replaced by the proxy\'s', async () => {
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]));
  const forged = 'By=spiffe://cluster.local/ns/istioinaction/sa/webapp;URI=spiffe://cluster.local/ns/kube-system/sa/admin';
  const plain = await request(h.port, { path: '/x', headers: { 'x-forwarded-client-cert': forged, 'x-envoy-peer-metadata': 'evil' } });
  assert.equal(echoed(plain).headers['x-forwarded-client-cert'], undefined);
  assert.equal(echoed(plain).headers['x-envoy-peer-metadata'], undefined);
  const sleep = await mintSvid(await testCa(), 'default', 'sleep');
  const tls = await request(h.port, { path: '/x', headers: { 'X-Forwarded-Client-Cert': forged }, tls: sleep });
  const xfcc = echoed(tls).headers['x-forwarded-client-cert'] as string;
  assert.ok(!xfcc.includes('kube-system'), xfcc);
  assert.match(xfcc, /URI=spiffe:\/\/cluster\.local\/ns\/default\/sa\/sleep$/);
});

function rawExchange(port: number, bytes: Buffer | string): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(bytes));
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('close', () => resolve(out));
    s.on('error', () => {});
    s.setTimeout(3000, () => s.destroy());
  });
}

test('garbage bytes close only their own connection; a keep-alive connection keeps working', async () => {
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]));
  const http = await import('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  assert.equal((await request(h.port, { path: '/a', agent })).status, 200);
  const reply = await rawExchange(h.port, 'GARBAGE \x00\x01 NOT HTTP\r\n\r\n');
  assert.match(reply, /^HTTP\/1\.1 400 Bad Request/);
  assert.equal((await request(h.port, { path: '/b', agent })).status, 200);
  agent.destroy();
  await waitFor(() => h.lines.some((l) => l.includes(' 400 DPE http1.codec_error ')));
});

test('a malformed TLS hello closes only its own connection', async () => {
  const h = await startHarness(snapshotFor([meshMtls('STRICT')]));
  const sleep = await mintSvid(await testCa(), 'default', 'sleep');
  const https = await import('node:https');
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  assert.equal((await request(h.port, { path: '/a', tls: sleep, agent })).status, 200);
  // What `printf '\x16\x03\x01\x00\x05hello' | nc` sends.
  const reply = await rawExchange(h.port, Buffer.from('\x16\x03\x01\x00\x05hello', 'latin1'));
  assert.ok(!reply.startsWith('HTTP'), reply);
  assert.equal((await request(h.port, { path: '/b', tls: sleep, agent })).status, 200);
  agent.destroy();
});
