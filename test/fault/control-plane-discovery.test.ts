/**
 * The sidecar's configuration-stream dialer follows `control-plane.json`: a restarted
 * control plane on a new port is dialed there; while the file is missing the last
 * known address is kept; a non-loopback address is refused. The dialer per address is
 * plain TCP here (the test is about which address is dialed; the stream's TLS is tested
 * in test/control/distribution), except for the loopback check, which is the production one.
 */
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { discoveringDialer } from '../../src/platform/sidecar/control-plane-discovery.js';
import { mtlsDialer, parseLoopbackAddress, type StreamDialer } from '../../src/proxy/config-client/index.js';

/** Tests only: plain TCP to a loopback address. */
function tcpDialerAt(address: string): StreamDialer {
  const { host, port } = parseLoopbackAddress(address);
  return {
    target: address,
    dial: () => new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port }, () => resolve(s));
      s.once('error', reject);
    }),
  };
}

const servers: Server[] = [];
async function listener(): Promise<{ address: string; accepted: () => number }> {
  let n = 0;
  const s = createServer((c) => { n += 1; c.destroy(); });
  servers.push(s);
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  return { address: `127.0.0.1:${port}`, accepted: () => n };
}
after(() => servers.forEach((s) => s.close()));

describe('discoveringDialer', () => {
  it('dials the address the state file gives now, and keeps the last one while there is none', async () => {
    const [a, b] = [await listener(), await listener()];
    let current: string | undefined = b.address;
    const dialer = discoveringDialer(a.address, async () => (current ? { configAddress: current } : undefined), tcpDialerAt);
    (await dialer.dial()).destroy();
    assert.equal(dialer.target, b.address);
    current = undefined;
    (await dialer.dial()).destroy();
    await new Promise((t) => setTimeout(t, 50));
    assert.equal(a.accepted(), 0, 'the start-up address is not used once the file named another');
    assert.equal(b.accepted(), 2);
  });

  it('refuses an address off loopback even when the state file names one', async () => {
    const tls = { dial: () => assert.fail('nothing is dialed') };
    const dialer = discoveringDialer('127.0.0.1:1', async () => ({ configAddress: '10.0.0.1:15010' }), (a) => mtlsDialer(a, { tls, serverId: 'x' }));
    await assert.rejects(dialer.dial(), /only listens\/dials on loopback/);
  });
});
