import { test } from 'node:test';
import { onFileEnd } from '../support/cleanup.js';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { meshMtls, snapshotFor } from '../support/snapshot.js';
import { startHarness, waitFor } from '../support/harness.js';
import { request } from '../support/client.js';
import { mintSvid, testCa } from '../support/svid.js';
import type { ProxyIdentity } from '../../../src/proxy/model.js';

async function startTcpEcho(): Promise<number> {
  const server = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onFileEnd(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

function tlsRoundTrip(port: number, id: ProxyIdentity, payload: string): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const s = tls.connect({ host: '127.0.0.1', port, key: id.keyPem, cert: id.certChainPem, ca: id.bundlePem, checkServerIdentity: () => undefined }, () => s.write(payload));
    s.on('data', (d) => {
      out += d.toString();
      if (out.length >= payload.length) s.end();
    });
    s.on('close', () => resolve(out));
    s.on('error', () => {});
    s.setTimeout(3000, () => s.destroy());
  });
}

const allowPrincipal = (p: string) => ({
  file: 'tcp.yaml',
  text: `apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: tcp, namespace: istioinaction}\nspec:\n  rules:\n  - from: [{source: {principals: ["${p}"]}}]\n    to: [{operation: {ports: ["%PORT%"]}}]\n`,
});

test('a TCP port tunnels mTLS to the app for allowed principals and closes the connection for others', async () => {
  const appPort = await startTcpEcho();
  const policy = allowPrincipal('cluster.local/ns/default/sa/sleep');
  policy.text = policy.text.replace('%PORT%', String(appPort));
  const h = await startHarness(snapshotFor([meshMtls('STRICT'), policy]), { appPort, protocol: 'tcp' });
  const ca = await testCa();
  const sleep = await mintSvid(ca, 'default', 'sleep');
  const intruder = await mintSvid(ca, 'default', 'intruder');
  assert.equal(await tlsRoundTrip(h.port, sleep, 'ping'), 'ping');
  assert.equal(await tlsRoundTrip(h.port, intruder, 'ping'), '');
  await waitFor(() => h.lines.length >= 2);
  assert.match(h.lines.join('\n'), / "- - -" 0 - - rbac_access_denied_matched_policy\[none\] "-" 0 0 \d+ - /);
  assert.match(h.lines.join('\n'), / "- - -" 0 - - - "-" 4 4 \d+ - "-" "-" "-" "-" "127\.0\.0\.1:\d+" inbound\|\d+\|\| /);
  const metrics = await h.proxy.metrics.render();
  assert.match(metrics, /istio_tcp_connections_opened_total\{[^}]*source_principal="spiffe:\/\/cluster\.local\/ns\/default\/sa\/sleep"[^}]*connection_security_policy="mutual_tls"[^}]*\} 1/);
});

test('the metrics endpoint counts requests with Istio labels', async () => {
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]));
  const sleep = await mintSvid(await testCa(), 'default', 'sleep');
  assert.equal((await request(h.port, { path: '/a', tls: sleep })).status, 200);
  assert.equal((await request(h.port, { path: '/a%00' })).status, 400);
  const text = (await request(h.admin, { path: '/stats/prometheus' })).body;
  const line = (code: string) => text.split('\n').find((l) => l.startsWith('istio_requests_total{') && l.includes(`response_code="${code}"`)) ?? '';
  assert.match(line('200'), /reporter="destination"/);
  assert.match(line('200'), /source_principal="spiffe:\/\/cluster\.local\/ns\/default\/sa\/sleep"/);
  assert.match(line('200'), /destination_principal="spiffe:\/\/cluster\.local\/ns\/istioinaction\/sa\/webapp"/);
  assert.match(line('200'), /connection_security_policy="mutual_tls"/);
  assert.match(line('200'), /response_flags="-"/);
  assert.match(line('200'), /\} 1$/);
  assert.match(line('400'), /source_principal="unknown"[^}]*connection_security_policy="none"/);
  assert.equal((await request(h.admin, { path: '/healthz/ready' })).status, 200);
});

test('an unreachable app is a 503 with flag UF', async () => {
  // Port 1 on loopback: nothing listens, the connection is refused.
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]), { appPort: 1 });
  const r = await request(h.port, { path: '/x' });
  assert.equal(r.status, 503);
  assert.equal(r.body, 'upstream connect error or disconnect/reset before headers. reset reason: connection failure');
  await waitFor(() => h.lines.length > 0);
  assert.match(h.lines[0] as string, / 503 UF upstream_reset_before_response_started\{connection_failure\} /);
});

test('the access log can be JSON with the peer identities', async () => {
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]), { format: 'json' });
  const sleep = await mintSvid(await testCa(), 'default', 'sleep');
  await request(h.port, { path: '/j', tls: sleep, headers: { 'x-request-id': 'req-1' } });
  await waitFor(() => h.lines.length > 0);
  const e = JSON.parse(h.lines[0] as string) as Record<string, unknown>;
  assert.equal(e.method, 'GET');
  assert.equal(e.path, '/j');
  assert.equal(e.response_code, 200);
  assert.equal(e.response_flags, '-');
  assert.equal(e.response_code_details, 'via_upstream');
  assert.equal(e.request_id, 'req-1');
  assert.equal(e.downstream_peer_uri_san, 'spiffe://cluster.local/ns/default/sa/sleep');
  assert.equal(e.downstream_local_uri_san, 'spiffe://cluster.local/ns/istioinaction/sa/webapp');
  assert.equal(e.connection_security_policy, 'mutual_tls');
});

test('over the connection limit a new connection is refused with a log line, and existing ones keep working', async () => {
  const h = await startHarness(snapshotFor([meshMtls('PERMISSIVE')]), { maxConnections: 1 });
  const held = net.connect(h.port, '127.0.0.1');
  await new Promise((r) => held.once('connect', r));
  const refused = await new Promise<string>((resolve) => {
    const s = net.connect(h.port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n'));
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('close', () => resolve(out));
    s.on('error', () => {});
  });
  assert.equal(refused, '');
  assert.ok(h.lines.some((l) => l.startsWith('WARN connection limit reached')), h.lines.join('\n'));
  held.write('GET /still HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
  const reply = await new Promise<string>((resolve) => {
    let out = '';
    held.on('data', (d) => (out += d));
    held.on('close', () => resolve(out));
  });
  assert.match(reply, /^HTTP\/1\.1 200/);
});
