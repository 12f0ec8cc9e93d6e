import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DistributedSnapshot } from '../../../src/control/distribution/wire.js';
import { readLines } from '../../../src/proxy/config-client/protocol.js';
import { mtlsDialer } from '../../../src/proxy/config-client/mtls-dialer.js';
import type { ProxySnapshot } from '../../../src/proxy/model.js';

// The control plane's snapshot type and the proxy's must stay the same shape (layers keep them in two files).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const snapshotShapesMatch: Same<DistributedSnapshot, ProxySnapshot> = true;

describe('config stream protocol, proxy side', () => {
  it('keeps the control plane snapshot type equal to the proxy model', () => {
    assert.equal(snapshotShapesMatch, true);
  });

  it('reassembles lines split across chunks, including a multi-byte character cut in half', () => {
    const lines: string[] = [];
    const feed = readLines((l) => lines.push(l), () => assert.fail('no overflow expected'));
    const bytes = Buffer.from('{"a":"é"}\n\n{"b":2}\n{"c"');
    feed(bytes.subarray(0, 7));
    feed(bytes.subarray(7));
    feed(Buffer.from(':3}\n'));
    assert.deepEqual(lines, ['{"a":"é"}', '{"b":2}', '{"c":3}']);
  });

  it('gives up once a line grows past the limit, and ignores what follows', () => {
    let overflows = 0;
    const lines: string[] = [];
    const feed = readLines((l) => lines.push(l), () => overflows++, 8);
    feed(Buffer.from('123456789'));
    feed(Buffer.from('\nok\n'));
    assert.equal(overflows, 1);
    assert.deepEqual(lines, []);
  });

  it('dials only loopback addresses, checked before any TLS context is read', () => {
    const tls = { dial: () => assert.fail('not dialed') };
    assert.throws(() => mtlsDialer('192.168.1.10:15010', { tls, serverId: 'x' }), /only listens\/dials on loopback/);
    assert.throws(() => mtlsDialer('nonsense', { tls, serverId: 'x' }), /is not host:port/);
    assert.equal(mtlsDialer('[::1]:15010', { tls, serverId: 'x' }).target, '[::1]:15010');
  });
});
