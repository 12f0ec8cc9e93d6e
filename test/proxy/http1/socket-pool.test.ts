// The fast path's idle-connection pool over real loopback sockets: last in,
// first out; never a socket past its idle time; idle ones closed by the sweep;
// a socket that speaks or closes while idle leaves at once.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSocketPool } from '../../../src/proxy/http1/index.js';

/** A server that keeps every connection open and lets the test write to or close the server side. */
async function server(): Promise<{ port: number; peers: net.Socket[] }> {
  const peers: net.Socket[] = [];
  const srv = net.createServer((s) => {
    s.on('error', () => {});
    peers.push(s);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  after(() => {
    for (const p of peers) p.destroy();
    srv.close();
  });
  return { port: (srv.address() as net.AddressInfo).port, peers };
}

/** A pool closed when the test ends. */
function poolOf(maxIdlePerKey: number, idleTimeoutMs: number): ReturnType<typeof createSocketPool> {
  const pool = createSocketPool({ maxIdlePerKey, idleTimeoutMs });
  after(() => pool.close());
  return pool;
}

async function connect(port: number): Promise<net.Socket> {
  const s = net.connect({ port, host: '127.0.0.1' });
  s.on('error', () => {});
  await once(s, 'connect');
  after(() => s.destroy());
  return s;
}

test('hands back the most recently released socket first, and only sockets of its key', async () => {
  const { port } = await server();
  const pool = poolOf(4, 5_000);
  const a = await connect(port);
  const b = await connect(port);
  pool.release('k', a);
  pool.release('k', b);
  assert.equal(pool.take('other'), undefined);
  assert.equal(pool.take('k'), b);
  assert.equal(pool.take('k'), a);
  assert.equal(pool.take('k'), undefined);
});

test('never hands out a socket idle longer than idleTimeoutMs, and the sweep closes it within about half that again', async () => {
  const { port } = await server();
  const pool = poolOf(4, 120);
  const fresh = await connect(port);
  pool.release('k', fresh);
  await sleep(40);
  assert.equal(pool.take('k'), fresh, 'a socket idle for a third of its time is reused');
  pool.release('k', fresh);
  const stale = fresh;
  await sleep(250);
  assert.equal(pool.take('k'), undefined);
  assert.equal(pool.idleCount(), 0);
  assert.equal(stale.destroyed, true, 'the idle socket was closed, not just forgotten');
});

test('a socket whose peer speaks or closes while idle leaves the pool and is closed', async () => {
  const { port, peers } = await server();
  const pool = poolOf(4, 5_000);
  const talker = await connect(port);
  const closer = await connect(port);
  pool.release('k', talker);
  pool.release('k', closer);
  assert.equal(pool.idleCount(), 2);
  peers[0]!.write('HTTP/1.1 200 OK\r\n\r\n');
  peers[1]!.end();
  const deadline = Date.now() + 2_000;
  while (pool.idleCount() > 0 && Date.now() < deadline) await sleep(5);
  assert.equal(pool.idleCount(), 0);
  assert.equal(talker.destroyed, true);
  assert.equal(pool.take('k'), undefined);
});

test('keeps at most maxIdlePerKey per key and closes the rest on release', async () => {
  const { port } = await server();
  const pool = poolOf(1, 5_000);
  const a = await connect(port);
  const b = await connect(port);
  pool.release('k', a);
  pool.release('k', b);
  assert.equal(b.destroyed, true);
  assert.equal(pool.idleCount(), 1);
});
