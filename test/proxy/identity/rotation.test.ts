// The rotation test: SVIDs living seconds, a TLS server on the client's contexts.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { after, it } from 'node:test';
import { createIdentityClient } from '../../../src/proxy/identity/identity-client.js';
import { createTlsContextManager } from '../../../src/proxy/tls/index.js';
import { GOOD_TOKEN, memoryLog, sleep, testCa, waitFor } from './support.js';

const cleanups: Array<() => void> = [];
after(() => cleanups.forEach((f) => f()));

async function startIdentity(ca: Awaited<ReturnType<typeof testCa>>) {
  const c = createIdentityClient({ ca, attestation: { type: 'join', evidence: { token: GOOD_TOKEN } }, log: memoryLog(), random: () => 0.5, backoff: { initialMs: 100, maxMs: 400 } });
  cleanups.push(() => c.close());
  await c.start();
  return c;
}

type Conn = tls.TLSSocket & { serverSerial: string; serverNotAfter: number };

/** Connects with the client's current identity (the chain is verified; any SPIFFE ID is accepted). */
function connect(port: number, ctx: ReturnType<typeof createTlsContextManager>): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const s = ctx.dial({ host: '127.0.0.1', port }, () => undefined, (err, server) => {
      if (err || !server) return reject(err);
      resolve(Object.assign(s, { serverSerial: server.leaf.serialNumber, serverNotAfter: Date.parse(server.leaf.validTo) }));
    });
    s.once('error', reject);
  });
}

function echo(s: tls.TLSSocket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    s.once('data', (d: Buffer) => resolve(d.toString()));
    s.once('error', reject);
    s.write(text);
  });
}

it('swaps certificates without dropping a long-lived connection, and nothing fails at the old expiry', async () => {
  const ca = await testCa(3000);
  const server = await startIdentity(ca);
  const client = await startIdentity(ca);
  const serverCtx = createTlsContextManager(server);
  const clientCtx = createTlsContextManager(client);
  const srv = tls.createServer(serverCtx.serverOptions(), (s) => s.on('data', (d) => s.write(d)));
  serverCtx.attach(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  const sockets: tls.TLSSocket[] = [];
  cleanups.push(() => { sockets.forEach((s) => s.destroy()); srv.close(); serverCtx.close(); clientCtx.close(); });

  const longLived = await connect(port, clientCtx);
  sockets.push(longLived);
  const firstSerial = longLived.serverSerial;
  const oldNotAfter = server.current().notAfter;
  assert.equal(await echo(longLived, 'before'), 'before');

  assert.ok(await waitFor(() => serverCtx.serial() !== firstSerial, 3000), 'server renewed');
  const fresh = await connect(port, clientCtx);
  sockets.push(fresh);

  assert.equal(fresh.serverSerial, serverCtx.serial(), 'a new handshake sees the new serial');
  assert.notEqual(fresh.serverSerial, firstSerial);
  assert.equal(await echo(longLived, 'after-renewal'), 'after-renewal', 'the open connection survived');

  await sleep(Math.max(0, oldNotAfter.getTime() - Date.now()) + 300);
  assert.equal(await echo(longLived, 'after-expiry'), 'after-expiry', 'still open past the old certificate’s expiry');
  const late = await connect(port, clientCtx);
  sockets.push(late);
  assert.equal(await echo(late, 'late'), 'late', 'new handshakes work past the old expiry');
  assert.ok(late.serverNotAfter > oldNotAfter.getTime(), 'served by a certificate that outlives the old one');
});
