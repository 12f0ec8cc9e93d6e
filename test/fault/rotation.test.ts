/**
 * Short-lived SVIDs (6 s) on a real mesh of two sidecars, with traffic flowing the
 * whole time (one keep-alive connection and a new curl connection after another):
 * renewals drop no request and the served serial changes; a root rotation
 * (prepare → activate → retire) drops no request and leaves chaining to the new
 * root; revoking a workload's token stops its renewals. Steps build on each other.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Mesh, run, servedCertificate, sidecarSecrets, sleep, startTraffic, until, workloadYaml, type SidecarHandle } from './mesh-harness.js';

const SVID_TTL_S = 6;
const server = { namespace: 'rot', name: 'server', address: '127.92.1.1', appAddress: '127.92.2.1', port: 8080 };
const client = { namespace: 'rot', name: 'client', address: '127.92.1.2', appAddress: '127.92.2.2', port: 8080 };
const URL = 'http://server.rot/hello';

const mesh = new Mesh(['--svid-ttl', `${SVID_TTL_S}s`]);
let serverSidecar: SidecarHandle;
let clientSidecar: SidecarHandle;
let clientTokenId: string;

before(async () => {
  await mesh.startControlPlane();
  await mesh.apply(workloadYaml(server) + workloadYaml(client));
  await mesh.httpApp('server', server.appAddress, server.port);
  const [st, ct] = [await mesh.localToken('rot', 'server'), await mesh.localToken('rot', 'client')];
  clientTokenId = ct.id;
  serverSidecar = await mesh.sidecar('rot/server', st.file, server.address, server.appAddress);
  clientSidecar = await mesh.sidecar('rot/client', ct.file, client.address, client.appAddress);
});

after(() => mesh.close());

/** Whether a line of the client sidecar's log (its pino JSON and access log) matches; never dumps the log into a failure. */
const logged = (re: RegExp) => clientSidecar.output().split('\n').some((l) => re.test(l));

const serialOf = (openssl: string) => /serial=([0-9A-F]+)/i.exec(openssl)?.[1]?.toUpperCase();

/** Whether the leaf in `chainPem` was signed by the root in `rootPem`. */
const signedBy = (chainPem: string, rootPem: string) => new X509Certificate(chainPem).verify(new X509Certificate(rootPem).publicKey);

describe(`fault: ${SVID_TTL_S} s SVIDs renewed under load`, () => {
  it('answers every request across several renewals and old-certificate expiries, and openssl sees new serials', async () => {
    const first = serialOf(await servedCertificate(server.address, server.port));
    assert.ok(first, 'openssl read the served certificate');
    const traffic = startTraffic(clientSidecar.outbound, URL);
    const serials = new Set([first]);
    const end = Date.now() + 14_000; // > 2 lifetimes: every certificate seen at the start has expired by the end
    while (Date.now() < end) {
      await sleep(2000);
      const s = serialOf(await servedCertificate(server.address, server.port));
      if (s) serials.add(s);
    }
    const report = await traffic.stop();
    assert.deepEqual(report.failures, [], 'no request failed');
    assert.ok(report.ok > 100, `only ${report.ok} requests answered`);
    assert.equal(report.keepAliveSockets, 1, 'the keep-alive loop used one long-lived connection throughout');
    assert.ok(serials.size >= 3, `the served serial changed with each renewal (saw ${[...serials].join(', ')})`);
  });
});

describe('fault: root rotation with traffic flowing', () => {
  it('prepare → activate → retire drops no request, and new leaves chain to the new root', async () => {
    const before = await sidecarSecrets(serverSidecar.admin);
    assert.equal(before.rootSerials.length, 1);
    const oldRoot = before.rootPems[0]!;
    const traffic = startTraffic(clientSidecar.outbound, URL);
    try {
      const ca = (step: string, force = false) => mesh.meshguard(['ca', 'rotate', `--${step}`, ...(force ? ['--force'] : []), '--data-dir', mesh.dataDir]);
      assert.equal((await ca('prepare')).code, 0);
      // Both proxies trust both roots (they fetch the bundle with each renewal) before anyone signs with the new one.
      for (const sc of [serverSidecar, clientSidecar]) {
        await until(`${sc.address} to trust the prepared root`, 3 * SVID_TTL_S * 1000, async () => ((await sidecarSecrets(sc.admin)).rootSerials.length === 2 ? true : undefined));
      }
      const prepared = await sidecarSecrets(serverSidecar.admin);
      const newRoot = prepared.rootPems.find((p) => p !== oldRoot)!;
      assert.equal((await ca('activate')).code, 0);
      // Every leaf renewed after activate comes from the new root; wait past one lifetime so no old leaf is alive.
      for (const sc of [serverSidecar, clientSidecar]) {
        await until(`${sc.address} to hold a leaf of the new root`, 3 * SVID_TTL_S * 1000, async () => (signedBy((await sidecarSecrets(sc.admin)).leafPem, newRoot) ? true : undefined));
      }
      // --svid-ttl is also the CA's cap, so one lifetime after activate no leaf of the old root can be alive:
      // retire is accepted without --force.
      await sleep(SVID_TTL_S * 1000 + 500);
      const retire = await ca('retire');
      assert.equal(retire.code, 0, retire.stderr);
      for (const sc of [serverSidecar, clientSidecar]) {
        await until(`${sc.address} to drop the retired root`, 3 * SVID_TTL_S * 1000, async () => ((await sidecarSecrets(sc.admin)).rootSerials.length === 1 ? true : undefined));
      }
      await sleep(1000);
    } finally {
      const report = await traffic.stop();
      assert.deepEqual(report.failures, [], 'no request failed during the rotation');
      assert.ok(report.ok > 50, `only ${report.ok} requests answered`);
    }
    const afterRetire = await sidecarSecrets(serverSidecar.admin);
    const afterRetireAt = Date.now();
    assert.ok(signedBy(afterRetire.leafPem, afterRetire.rootPems[0]!), 'the leaf chains to the only root left');
    assert.ok(!signedBy(afterRetire.leafPem, oldRoot), 'and not to the retired one');
    // openssl sees the same: the served leaf verifies against the new root alone.
    const leaf = await run('sh', ['-c', `openssl s_client -connect ${server.address}:${server.port} </dev/null 2>/dev/null | openssl x509`], { timeout: 10_000 });
    assert.ok(signedBy(leaf.stdout, afterRetire.rootPems[0]!));
    // The configuration stream (mTLS with the control plane) survived the rotation: a change still reaches both proxies.
    const marker = await mesh.apply('apiVersion: v1\nkind: Service\nmetadata: {name: rotation-marker, namespace: rot}\nspec: {ports: [{port: 9}]}\n');
    assert.equal(marker.code, 0, marker.stderr);
    await until('both proxies SYNCED on the change applied after retire', 10_000, async () => {
      const r = await mesh.meshguard(['proxy-status', '-o', 'json', '--data-dir', mesh.dataDir]);
      const items = (JSON.parse(r.stdout) as { items: { name: string; status: string; connected: boolean; lastSentAt: number | null }[] }).items;
      return items.length === 2 && items.every((i) => i.connected && i.status === 'SYNCED' && (i.lastSentAt ?? 0) > afterRetireAt) ? true : undefined;
    });
  });
});

describe('fault: revoking a token stops that identity\'s renewals', () => {
  it('refuses the next renewal; the sidecar keeps its SVID until expiry, after which a new handshake with it is refused', async () => {
    const revoked = await mesh.meshguard(['token', 'revoke', clientTokenId, '--data-dir', mesh.dataDir]);
    assert.equal(revoked.code, 0, revoked.stderr);
    const held = await sidecarSecrets(clientSidecar.admin);
    const notAfter = Date.parse(new X509Certificate(held.leafPem).validTo);
    // The refusal is logged with its code; the old SVID stays in place.
    await until('the renewal refusal in the client sidecar log', 3 * SVID_TTL_S * 1000, () => (logged(/SVID request failed; retrying/) ? true : undefined));
    assert.ok(logged(/"code":"MG_CA_UNAUTHENTICATED".*"msg":"SVID request failed; retrying"/), 'the refusal is logged with its code');
    assert.equal((await sidecarSecrets(clientSidecar.admin)).leafSerial, held.leafSerial, 'the still-valid SVID is kept');
    // Past expiry nothing renews it (re-attesting with the revoked token is refused too) and the sidecar says so.
    await sleep(Math.max(notAfter - Date.now(), 0));
    // The next retry after notAfter notices (retries back off, capped by the time left): bounded wait.
    await until('the expiry in the client sidecar log', 10_000, () => (logged(/"msg":"X\.509-SVID expired before it could be renewed"/) ? true : undefined));
    assert.equal((await sidecarSecrets(clientSidecar.admin)).leafSerial, held.leafSerial);
    // A new mTLS handshake presenting that SVID (its key is the sidecar's 0600 key file) is refused by the server sidecar.
    const chain = join(mesh.root, 'client-chain.pem');
    writeFileSync(chain, held.leafPem);
    const key = join(mesh.dataDir, 'proxies', 'rot.client.key');
    const hs = await run('sh', ['-c', `printf 'GET /hello HTTP/1.1\\r\\nHost: server.rot\\r\\n\\r\\n' | openssl s_client -connect ${server.address}:${server.port} -cert ${chain} -key ${key} -ign_eof 2>&1`], { timeout: 10_000 });
    // The connection is closed before any HTTP answer (the same request with a valid SVID gets `HTTP/1.1 200`).
    assert.doesNotMatch(hs.stdout, /HTTP\/1\.1 \d{3}/, `the expired SVID gets no HTTP answer at all: ${hs.stdout.slice(-300)}`);
  });
});
