// Dialing over mTLS as the outbound side does, against real TLS servers on loopback: the
// client sends its leaf alone (no root appended), verifies the server's chain itself, and
// writes nothing to a server it refused.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import tls from 'node:tls';
import type { ProxyIdentity } from '../../../src/proxy/model.js';
import { createTlsContextManager } from '../../../src/proxy/tls/context-manager.js';
import type { VerifiedServer } from '../../../src/proxy/tls/dial-mtls.js';
import { TLS_ERROR_CODES } from '../../../src/proxy/tls/errors.js';
import { issue, keyPem, type Issued } from '../../identity/pki.js';
import { mintSvid, testCa } from '../support/mint.js';

const fixed = (id: ProxyIdentity) => ({ current: () => id, onChange: () => () => undefined });
const cleanups: Array<() => void> = [];
after(() => cleanups.forEach((f) => f()));

interface Recorder {
  port: number;
  /** Certificates the client sent in its handshake, leaf first (the server has no store to add any). */
  clientChains: number[];
  bytes: () => number;
}

/** A TLS server presenting `id`, asking for a client certificate without judging it, counting what it receives. */
async function recorder(id: ProxyIdentity): Promise<Recorder> {
  let bytes = 0;
  const clientChains: number[] = [];
  const open = new Set<tls.TLSSocket>();
  const server = tls.createServer({ key: id.keyPem, cert: id.certChainPem, ca: [], requestCert: true, rejectUnauthorized: false }, (s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    let n = 0;
    for (let c: tls.DetailedPeerCertificate | undefined = s.getPeerCertificate(true); c?.raw; c = c.issuerCertificate === c ? undefined : c.issuerCertificate) n++;
    clientChains.push(n);
    s.on('data', (d: Buffer) => {
      bytes += d.length;
      s.write(d);
    });
    s.on('error', () => s.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    server.close();
    for (const s of open) s.destroy();
  });
  return { port: (server.address() as AddressInfo).port, clientChains, bytes: () => bytes };
}

type DialOutcome = { err: Error | null; server?: VerifiedServer; socket: tls.TLSSocket };

function dial(client: ProxyIdentity, port: number, accept: (id: string) => Error | undefined = () => undefined): Promise<DialOutcome> {
  const manager = createTlsContextManager(fixed(client));
  cleanups.push(() => manager.close());
  return new Promise((resolve) => {
    const socket = manager.dial({ host: '127.0.0.1', port }, (peer) => accept(peer.spiffeId), (err, server) => resolve({ err, server, socket }));
    socket.on('error', (err) => resolve({ err, socket }));
  });
}

test('sends our leaf alone (the root is not appended, unlike a context holding the bundle), and hands over the verified server', async () => {
  const ca = await testCa();
  const server = await recorder(await mintSvid(ca, 'istioinaction', 'catalog'));
  const client = await mintSvid(ca, 'istioinaction', 'webapp');
  const { err, server: verified, socket } = await dial(client, server.port);
  assert.equal(err, null);
  assert.equal(verified?.peer.spiffeId, 'spiffe://cluster.local/ns/istioinaction/sa/catalog');
  assert.equal(verified?.leaf.subjectAltName, 'URI:spiffe://cluster.local/ns/istioinaction/sa/catalog');
  socket.write('ping');
  await once(socket, 'data');
  socket.destroy();
  // The same SVID in a context that holds the roots: OpenSSL appends the root to the chain it sends.
  const bare = tls.connect({ host: '127.0.0.1', port: server.port, key: client.keyPem, cert: client.certChainPem, ca: client.bundlePem, checkServerIdentity: () => undefined });
  await once(bare, 'secureConnect');
  bare.write('x');
  await once(bare, 'data');
  bare.destroy();
  assert.deepEqual(server.clientChains, [1, 2]);
});

test('refuses a server of another CA and writes nothing to it', async () => {
  const other = await testCa('cluster.local.other');
  const impostorId = await mintSvid(other, 'istioinaction', 'catalog');
  const server = await recorder(impostorId);
  const { err, socket } = await dial(await mintSvid(await testCa(), 'istioinaction', 'webapp'), server.port);
  assert.equal((err as { code?: string }).code, TLS_ERROR_CODES.PEER_CHAIN_REFUSED);
  assert.equal((err as { reason?: string }).reason, 'unknown-issuer');
  assert.equal(socket.destroyed, true);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(server.bytes(), 0);
});

test('refuses an expired server certificate of our own CA', async () => {
  const ca = await testCa();
  const short = await mintSvid(ca, 'istioinaction', 'catalog', 1000);
  await new Promise((r) => setTimeout(r, Math.max(0, short.notAfter.getTime() - Date.now()) + 1100));
  const server = await recorder(short);
  const { err } = await dial(await mintSvid(ca, 'istioinaction', 'webapp'), server.port);
  assert.equal((err as { reason?: string }).reason, 'not-valid-now');
});

test('refuses a server whose chain verifies but whose SPIFFE ID is of a domain we do not trust, and one the caller does not accept', async () => {
  const ours = await testCa();
  const federated = await testCa('partner.example');
  // The bundle trusts both roots (federation), but only our own domain's IDs are peers.
  const client = { ...(await mintSvid(ours, 'istioinaction', 'webapp')), bundlePem: ours.bundlePem + federated.bundlePem };
  const partner = await recorder(await mintSvid(federated, 'istioinaction', 'catalog'));
  const foreign = await dial(client, partner.port);
  assert.equal((foreign.err as { code?: string }).code, TLS_ERROR_CODES.PEER_IDENTITY_REFUSED);
  assert.equal((foreign.err as { reason?: string }).reason, 'foreign-trust-domain');

  const ratings = await recorder(await mintSvid(ours, 'istioinaction', 'ratings'));
  const refusal = new Error('not catalog');
  const named = await dial(client, ratings.port, (id) => (id.endsWith('/sa/catalog') ? undefined : refusal));
  assert.equal(named.err, refusal);
  assert.equal(named.socket.destroyed, true);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(ratings.bytes(), 0);
});

test('follows a plugged-in CA’s intermediate the server sends, sends its own intermediate but no root, and refuses a server that leaves its intermediate out', async () => {
  const now = new Date();
  const root = await issue({ subject: 'root', ca: true, now });
  const mid = await issue({ subject: 'mid', issuer: root, ca: true, now });
  const identity = async (leaf: Issued, chain: string): Promise<ProxyIdentity> => ({
    spiffeId: leaf.cert.subjectAltName!.slice('URI:'.length), certChainPem: chain, keyPem: await keyPem(leaf), bundlePem: root.pem, notAfter: new Date(leaf.cert.validTo),
  });
  const serverLeaf = await issue({ subject: 'catalog', issuer: mid, now });
  const clientLeaf = await issue({ subject: 'webapp', issuer: mid, now });
  const client = await identity(clientLeaf, clientLeaf.pem + mid.pem);
  const server = await recorder(await identity(serverLeaf, serverLeaf.pem + mid.pem));
  const ok = await dial(client, server.port);
  assert.equal(ok.err, null);
  assert.equal(ok.server?.peer.spiffeId, 'spiffe://cluster.local/ns/default/sa/catalog');
  ok.socket.write('ping'); // the echo shows the server has seen the handshake through
  await once(ok.socket, 'data');
  ok.socket.destroy();
  assert.deepEqual(server.clientChains, [2]);
  const leafOnly = await recorder(await identity(serverLeaf, serverLeaf.pem));
  const refused = await dial(client, leafOnly.port);
  assert.equal((refused.err as { reason?: string }).reason, 'unknown-issuer');
});
