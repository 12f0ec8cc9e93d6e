import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { test } from 'node:test';
import { setSocketOwner } from '../../../src/proxy/http1/socket-owner.js';

async function pair(): Promise<{ a: net.Socket; b: net.Socket; close(): void }> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const a = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const [b] = (await once(server, 'connection')) as [net.Socket];
  await once(a, 'connect');
  return { a, b, close: () => (a.destroy(), b.destroy(), server.close()) };
}

test('a socket\'s events go to its current owner only, through listeners attached once', async () => {
  const p = await pair();
  try {
    const got: string[] = [];
    const owner = (name: string) => ({ data: (c: Buffer) => got.push(`${name}:${c.toString()}`), end: () => got.push(`${name}:end`), close: () => got.push(`${name}:close`) });
    setSocketOwner(p.a, owner('first'));
    const listeners = p.a.listenerCount('data');
    p.b.write('one');
    await once(p.a, 'data');
    setSocketOwner(p.a, owner('second'));
    assert.equal(p.a.listenerCount('data'), listeners);
    p.b.end('two');
    await once(p.a, 'end');
    assert.deepEqual(got, ['first:one', 'second:two', 'second:end']);
  } finally {
    p.close();
  }
});

test('bytes on a socket nobody holds destroy it (nothing was asked of it)', async () => {
  const p = await pair();
  try {
    setSocketOwner(p.a, { data: () => {}, end: () => {}, close: () => {} });
    setSocketOwner(p.a, undefined);
    p.a.resume();
    p.b.write('stray');
    await once(p.a, 'close');
    assert.equal(p.a.destroyed, true);
  } finally {
    p.close();
  }
});
