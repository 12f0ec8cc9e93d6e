import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { X509Certificate } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { CA_CALL_TRACE_CHANNEL, startCallTrace, type CaCallTrace } from '../../../src/control/ca-service/call-trace.js';
import { opensslCsr } from '../../identity/support.js';
import { startTestControlPlane, type TestControlPlane } from './support.js';

let t: TestControlPlane;
before(async () => { t = await startTestControlPlane(); });
after(async () => { await t.stop(); });

const csrDer = () => opensslCsr('ec-p256').der.toString('base64');
const certsIn = (pem: string) => pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
const lastCert = (pem: string) => new X509Certificate(pem.slice(pem.lastIndexOf('-----BEGIN CERTIFICATE-----')));

/** A workload with an SVID, and a client holding it for mTLS renewals. */
async function workload(ns: string, sa: string) {
  const { token, id } = await t.token(ns, sa);
  const csr = opensslCsr('ec-p256');
  const svid = await t.client().sign({ csrDer: csr.der.toString('base64'), attestation: { type: 'join', token } });
  return Object.assign(t.client({ identity: { chainPem: svid.chainPem, keyPem: csr.keyPem, rootPem: svid.bundlePem } }), { tokenId: id });
}

describe('CA API per-call traces (BENCH_TRACE)', () => {
  it('nothing is stamped while no one subscribes', () => {
    assert.equal(startCallTrace('Renew'), undefined);
  });

  it('a traced Renew publishes its serial and stamps in order: entry, worker post, worker done, sent', async () => {
    const client = await workload('trace', 'web');
    const traces: CaCallTrace[] = [];
    const listener = (m: unknown) => void traces.push(m as CaCallTrace);
    diagnostics.subscribe(CA_CALL_TRACE_CHANNEL, listener);
    try {
      const before = performance.timeOrigin + performance.now();
      const svid = await client.renew({ csrDer: csrDer() });
      const renewed = traces.find((x) => x.method === 'Renew');
      assert.ok(renewed, 'no trace for the Renew');
      assert.equal(renewed.serial, svid.serial);
      assert.equal(renewed.ok, true);
      const { entry, workerPost, workerDone, sent } = renewed;
      assert.ok(workerPost !== undefined && workerDone !== undefined && sent !== undefined);
      assert.ok(before <= entry && entry <= workerPost && workerPost <= workerDone && workerDone <= sent, JSON.stringify(renewed));
    } finally {
      diagnostics.unsubscribe(CA_CALL_TRACE_CHANNEL, listener);
    }
  });

  it('a refused call is traced as not ok', async () => {
    const traces: CaCallTrace[] = [];
    const listener = (m: unknown) => void traces.push(m as CaCallTrace);
    diagnostics.subscribe(CA_CALL_TRACE_CHANNEL, listener);
    try {
      await assert.rejects(t.client().renew({ csrDer: csrDer() }), { code: 'MG_CA_MTLS_REQUIRED' });
      assert.equal(traces.find((x) => x.method === 'Renew')?.ok, false);
    } finally {
      diagnostics.unsubscribe(CA_CALL_TRACE_CHANNEL, listener);
    }
  });
});

describe('the roots in a Renew response follow a rotation at once (their PEM is cached per rotation step)', () => {
  it('prepare adds the new root to the bundle; activate moves the chain onto it', async () => {
    const client = await workload('rotation', 'web');
    const firstRoot = lastCert((await client.renew({ csrDer: csrDer() })).chainPem);
    assert.equal(certsIn((await client.renew({ csrDer: csrDer() })).bundlePem), 1);

    await t.cp.ca.ca.rotate('prepare');
    const prepared = await client.renew({ csrDer: csrDer() });
    assert.equal(certsIn(prepared.bundlePem), 2);
    assert.equal(lastCert(prepared.chainPem).fingerprint256, firstRoot.fingerprint256, 'still signed by the current root');

    await t.cp.ca.ca.rotate('activate');
    const activated = await client.renew({ csrDer: csrDer() });
    const newRoot = lastCert(activated.chainPem);
    assert.notEqual(newRoot.fingerprint256, firstRoot.fingerprint256);
    assert.ok(new X509Certificate(activated.chainPem).verify(newRoot.publicKey), 'the leaf is signed by the root at the chain end');
    assert.equal(certsIn(activated.bundlePem), 2);
  });
});

describe('the peer certificate is decoded once per TLS session, its right to renew checked on every call', () => {
  it('five Renews on one connection decode the client certificate once', async () => {
    const client = await workload('session', 'web');
    const original = TLSSocket.prototype.getPeerCertificate;
    let decoded = 0;
    // Counts plain (not detailed) decodes on the server's sockets (they have a `server`): what the
    // CA API's auth context asks for. The client's grpc-js decodes the server's certificate once too.
    TLSSocket.prototype.getPeerCertificate = function (this: TLSSocket, detailed?: boolean) {
      if (!detailed && (this as { server?: unknown }).server) decoded++;
      return original.call(this, detailed as true);
    } as typeof original;
    try {
      for (let i = 0; i < 5; i++) await client.renew({ csrDer: csrDer() });
    } finally {
      TLSSocket.prototype.getPeerCertificate = original;
    }
    assert.equal(decoded, 1);
  });

  it('attack: a token revoked while the connection stays open stops the next Renew on it', async () => {
    const client = await workload('session', 'revoked');
    await client.renew({ csrDer: csrDer() });
    await t.cp.tokens.revoke(client.tokenId);
    await assert.rejects(client.renew({ csrDer: csrDer() }), { code: 'MG_RENEWAL_TOKEN_REVOKED' });
  });

  it('attack: an entry deleted while the connection stays open stops the next Renew on it', async () => {
    const { token, id } = await t.token('session', 'entry');
    const entry = await t.cp.entries.create({ spiffeId: 'spiffe://cluster.local/session/entry-v2', selectors: [`meshguard:token:${id}`] });
    const csr = opensslCsr('ec-p256');
    const svid = await t.client().sign({ csrDer: csr.der.toString('base64'), attestation: { type: 'join', token } });
    const client = t.client({ identity: { chainPem: svid.chainPem, keyPem: csr.keyPem, rootPem: svid.bundlePem } });
    assert.equal((await client.renew({ csrDer: csrDer() })).spiffeId, 'spiffe://cluster.local/session/entry-v2');
    await t.cp.entries.delete(entry.id);
    await assert.rejects(client.renew({ csrDer: csrDer() }), { code: 'MG_RENEWAL_ENTRY_DELETED' });
  });
});
