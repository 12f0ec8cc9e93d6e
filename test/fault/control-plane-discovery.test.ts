/**
 * The sidecar's configuration-stream dialer follows `control-plane.json`: a restarted
 * control plane on a new port is dialed there; while the file is missing the last
 * known address is kept; a non-loopback address is refused.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, describe, it } from 'node:test';
import { discoveringDialer } from '../../src/platform/sidecar/control-plane-discovery.js';

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
    const dialer = discoveringDialer(a.address, async () => (current ? { configAddress: current } : undefined));
    (await dialer.dial()).destroy();
    assert.equal(dialer.target, b.address);
    current = undefined;
    (await dialer.dial()).destroy();
    await new Promise((t) => setTimeout(t, 50));
    assert.equal(a.accepted(), 0, 'the start-up address is not used once the file named another');
    assert.equal(b.accepted(), 2);
  });

  it('refuses an address off loopback even when the state file names one', async () => {
    const dialer = discoveringDialer('127.0.0.1:1', async () => ({ configAddress: '10.0.0.1:15010' }));
    await assert.rejects(dialer.dial(), /only listens\/dials on loopback/);
  });
});
