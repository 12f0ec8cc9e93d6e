// The proxy's server TLS options, against a real handshake on loopback.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import tls from 'node:tls';
import type { ProxyIdentity } from '../../../src/proxy/model.js';
import { createTlsContextManager } from '../../../src/proxy/tls/context-manager.js';
import { mintSvid, testCa } from '../support/mint.js';

const fixed = (id: ProxyIdentity) => ({ current: () => id, onChange: () => () => undefined });

/** Connects with `client`'s SVID (offering `session` to resume), and reports the handshake and the last ticket received. */
async function handshake(server: tls.Server, client: ProxyIdentity, session?: Buffer): Promise<{ authorized: boolean; reused: boolean; ticket: Buffer | undefined }> {
  const { port } = server.address() as AddressInfo;
  const socket = tls.connect({ host: '127.0.0.1', port, key: client.keyPem, cert: client.certChainPem, ca: client.bundlePem, checkServerIdentity: () => undefined, ...(session ? { session } : {}) });
  let ticket: Buffer | undefined;
  socket.on('session', (s: Buffer) => (ticket = s));
  await once(socket, 'secureConnect');
  socket.write('ping');
  await once(socket, 'data'); // the server echoes: TLS 1.3 tickets, when sent, arrive before this
  const result = { authorized: socket.authorized, reused: socket.isSessionReused(), ticket };
  socket.destroy();
  return result;
}

test('the proxy TLS server verifies the client and issues no resumable stateless tickets (they cost memory on every idle connection)', async () => {
  const ca = await testCa();
  const serverId = await mintSvid(ca, 'istioinaction', 'webapp');
  const clientId = await mintSvid(ca, 'default', 'sleep');
  const manager = createTlsContextManager(fixed(serverId));
  const server = tls.createServer(manager.serverOptions(), (s) => s.pipe(s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const first = await handshake(server, clientId);
    assert.equal(first.authorized, true);
    const again = await handshake(server, clientId, first.ticket);
    assert.equal(again.authorized, true);
    assert.equal(again.reused, false, 'no stateless ticket: a new connection does a full handshake');
    // The same server without the option resumes: the assertion above can fail.
    server.setSecureContext({ ...manager.serverOptions(), secureOptions: 0 });
    const plain = await handshake(server, clientId);
    assert.equal((await handshake(server, clientId, plain.ticket)).reused, true, 'a default TLS 1.3 server resumes from its ticket');
  } finally {
    server.close();
    manager.close();
  }
});
