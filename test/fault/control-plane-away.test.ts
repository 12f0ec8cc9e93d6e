/**
 * The control plane goes away (SIGKILL) under a running mesh of two real sidecars:
 * traffic keeps flowing with the last snapshot and certificates; a restarted control
 * plane (new ports, same data dir) is found again through `control-plane.json`, the
 * proxies resync, and the next apply reaches them within a second. An invalid policy
 * is refused while the last good one keeps serving.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from 'node:net';
import { curlStatus, Mesh, startTraffic, until, workloadYaml, type SidecarHandle } from './mesh-harness.js';

/** Writes `bytes` on a new connection and waits (at most 5 s) for the peer to close it; returns what came back. */
function sendRaw(host: string, port: number, bytes: Buffer): Promise<{ closed: boolean; reply: string }> {
  return new Promise((done) => {
    let reply = '';
    const s = connect({ host, port }, () => s.write(bytes));
    const timer = setTimeout(() => { s.destroy(); done({ closed: false, reply }); }, 5000);
    s.on('data', (c: Buffer) => (reply += c.toString('latin1')));
    s.on('error', () => undefined);
    s.once('close', () => { clearTimeout(timer); done({ closed: true, reply }); });
  });
}

const server = { namespace: 'fault', name: 'server', address: '127.91.1.1', appAddress: '127.91.2.1', port: 8080 };
const client = { namespace: 'fault', name: 'client', address: '127.91.1.2', appAddress: '127.91.2.2', port: 8080 };
const URL_OK = 'http://server.fault/allowed';
const URL_DENIED = 'http://server.fault/denied';

const allowPaths = (paths: string[]) => `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: server-paths
  namespace: fault
spec:
  selector:
    matchLabels:
      app: server
  action: ALLOW
  rules:
  - to:
    - operation:
        paths: [${paths.map((p) => `"${p}"`).join(', ')}]
`;

const mesh = new Mesh();
let clientSidecar: SidecarHandle;

before(async () => {
  await mesh.startControlPlane();
  await mesh.apply(workloadYaml(server) + workloadYaml(client) + allowPaths(['/allowed']));
  await mesh.httpApp('server', server.appAddress, server.port);
  const [st, ct] = [await mesh.localToken('fault', 'server'), await mesh.localToken('fault', 'client')];
  await mesh.sidecar('fault/server', st.file, server.address, server.appAddress);
  clientSidecar = await mesh.sidecar('fault/client', ct.file, client.address, client.appAddress);
});

after(() => mesh.close());

async function proxyStatuses(): Promise<Map<string, string>> {
  const r = await mesh.meshguard(['proxy-status', '-o', 'json', '--data-dir', mesh.dataDir]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { items?: { name: string; status: string }[] } | { name: string; status: string }[];
  const items = Array.isArray(doc) ? doc : doc.items ?? [];
  return new Map(items.map((i) => [i.name, i.status]));
}

describe('fault: the control plane goes away and comes back', () => {
  it('serves the applied policy through both sidecars: /allowed 200, /denied 403', async () => {
    assert.equal(await curlStatus(clientSidecar.outbound, URL_OK), '200');
    assert.equal(await curlStatus(clientSidecar.outbound, URL_DENIED), '403');
  });

  it('refuses an invalid policy with file:line and keeps serving the last good one', async () => {
    const bad = await mesh.meshguard(['apply', '--data-dir', mesh.dataDir, '-f', 'test/fixtures/config/seed-004-typo.yaml']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /seed-004-typo\.yaml:\d+:\d+/);
    assert.equal(await curlStatus(clientSidecar.outbound, URL_OK), '200');
    assert.equal(await curlStatus(clientSidecar.outbound, URL_DENIED), '403');
  });

  it('closes only the connection that sends a malformed TLS hello or HTTP request; a keep-alive request in flight and new ones still pass', async () => {
    const traffic = startTraffic(clientSidecar.outbound, URL_OK);
    try {
      // Garbage where a ClientHello belongs, on the server sidecar's mTLS port.
      // A whole handshake record (type 0x16, TLS 1.0, 16 bytes) holding a handshake message type no TLS knows (0xde).
      const tlsGarbage = await sendRaw(server.address, server.port, Buffer.from(`1603010010de00000c${'00'.repeat(12)}`, 'hex'));
      // A request line no HTTP parser accepts, on the client sidecar's outbound port.
      const [host, port] = clientSidecar.outbound.split(':');
      const httpGarbage = await sendRaw(host!, Number(port), Buffer.from('GET /\x00 HTTP/9\r\n\r\n', 'latin1'));
      assert.ok(tlsGarbage.closed, 'the bad TLS connection was closed');
      assert.ok(httpGarbage.closed, 'the bad HTTP connection was closed');
      assert.doesNotMatch(httpGarbage.reply, /^HTTP\/1\.1 200/, 'the malformed request got no 200');
    } finally {
      const report = await traffic.stop();
      assert.deepEqual(report.failures, []);
      assert.ok(report.ok > 0);
    }
  });

  it('keeps every request answering as the policy says for seconds after SIGKILL of the control plane', async () => {
    mesh.controlPlane!.proc.kill('SIGKILL');
    await mesh.controlPlane!.exited;
    const seen: string[] = [];
    const end = Date.now() + 4000;
    for (let i = 0; i < 200 && Date.now() < end; i++) {
      seen.push(`${await curlStatus(clientSidecar.outbound, URL_OK)}/${await curlStatus(clientSidecar.outbound, URL_DENIED)}`);
    }
    assert.ok(seen.length >= 10, `only ${seen.length} rounds in 4 s`);
    assert.deepEqual(seen.filter((s) => s !== '200/403'), [], 'every round answered 200 then 403');
  });

  it('reconnects to the control plane restarted on new ports (SYNCED), and a new apply reaches the proxies within a second', async () => {
    const old = mesh.controlPlaneState()!;
    await mesh.startControlPlane();
    const now = mesh.controlPlaneState()!;
    assert.notEqual(now.configAddress, old.configAddress, 'the restarted control plane listens on new ports');
    const statuses = await until('both proxies SYNCED', 10_000, async () => {
      const s = await proxyStatuses();
      return s.get('server') === 'SYNCED' && s.get('client') === 'SYNCED' ? s : undefined;
    });
    assert.equal(statuses.size, 2);
    await mesh.apply(allowPaths(['/allowed', '/denied']));
    const applied = Date.now();
    await until('the new policy to serve /denied', 3000, async () => (await curlStatus(clientSidecar.outbound, URL_DENIED)) === '200' || undefined);
    assert.ok(Date.now() - applied < 1000, `the change took ${Date.now() - applied} ms`);
  });
});
