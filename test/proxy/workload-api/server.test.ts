import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { after, before, describe, it } from 'node:test';
import { createIdentityClient, type IdentityClient } from '../../../src/proxy/identity/identity-client.js';
import { startWorkloadApiServer, type WorkloadApiServer } from '../../../src/proxy/workload-api/server.js';
import { createWorkloadApiClient, rawWorkloadApiClient, type X509Context } from '../../../src/sdk/workload-api-client.js';
import { GOOD_TOKEN, WEB, memoryLog, tempDir, testCa, waitFor } from '../identity/support.js';

let proxy: IdentityClient;
let api: WorkloadApiServer;
let dir: { path: string; remove(): void };
const opts = { random: () => 0.5, backoff: { initialMs: 100, maxMs: 400 } };

before(async () => {
  dir = tempDir();
  const ca = await testCa(2500);
  proxy = createIdentityClient({ ca, attestation: { type: 'join', evidence: { token: GOOD_TOKEN } }, log: memoryLog(), ...opts });
  await proxy.start();
  api = await startWorkloadApiServer({ socketPath: join(dir.path, 'web', 'agent.sock'), ca, proxy, log: memoryLog(), ...opts });
});
after(async () => {
  await api.close();
  proxy.close();
  dir.remove();
});

describe('SPIFFE Workload API', () => {
  it('listens on a 0600 socket inside a 0700 directory', () => {
    assert.equal(statSync(api.socketPath).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir.path, 'web')).mode & 0o777, 0o700);
  });

  it('refuses every RPC without the workload.spiffe.io header with InvalidArgument', async () => {
    const raw = rawWorkloadApiClient(api.socketPath);
    try {
      const unary = (name: string, req: object) => new Promise<grpc.ServiceError>((resolve) => {
        (raw[name] as unknown as (r: object, cb: (e: grpc.ServiceError) => void) => void).call(raw, req, resolve);
      });
      const streamed = (name: string) => new Promise<grpc.ServiceError>((resolve) => {
        (raw[name] as unknown as (r: object) => grpc.ClientReadableStream<unknown>).call(raw, {}).on('error', resolve).on('data', () => undefined);
      });
      for (const err of [
        await unary('FetchJWTSVID', { audience: ['a'] }), await unary('ValidateJWTSVID', { audience: 'a', svid: 'x' }),
        await streamed('FetchX509SVID'), await streamed('FetchX509Bundles'), await streamed('FetchJWTBundles'),
      ]) {
        assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
        assert.match(err.details, /security header missing/);
      }
    } finally {
      raw.close();
    }
  });

  it('gives the app its own key for the proxy’s SPIFFE ID, with the bundle', async () => {
    const wl = createWorkloadApiClient(api.socketPath);
    try {
      const ctx = await wl.fetchX509Context();
      assert.equal(ctx.spiffeId, WEB);
      const leaf = new X509Certificate(ctx.certChainPem);
      assert.equal(leaf.subjectAltName, `URI:${WEB}`);
      assert.ok(leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(ctx.keyPem)), 'key matches the app certificate');
      assert.notEqual(ctx.keyPem, proxy.current().keyPem, 'the proxy key never leaves the proxy');
      assert.notEqual(leaf.serialNumber, new X509Certificate(proxy.current().certChainPem).serialNumber);
      assert.ok(leaf.verify(new X509Certificate(ctx.bundlePem).publicKey), 'verifies with the bundle');
      const bundles = await wl.fetchX509Bundles();
      assert.deepEqual(Object.keys(bundles), ['spiffe://cluster.local']);
      assert.equal(bundles['spiffe://cluster.local'], ctx.bundlePem);
    } finally {
      wl.close();
    }
  });

  it('streams a new full snapshot when the app SVID rotates', async () => {
    const wl = createWorkloadApiClient(api.socketPath);
    const seen: X509Context[] = [];
    const stop = wl.watchX509Context((c) => seen.push(c));
    try {
      assert.ok(await waitFor(() => seen.length >= 2, 4000), `got ${seen.length} snapshots`);
      const [a, b] = [seen[0]!, seen[1]!];
      assert.notEqual(new X509Certificate(a.certChainPem).serialNumber, new X509Certificate(b.certChainPem).serialNumber);
      assert.notEqual(a.keyPem, b.keyPem);
      assert.ok(b.bundlePem.length > 0 && b.spiffeId === WEB, 'full snapshot, not a delta');
    } finally {
      stop();
      wl.close();
    }
  });

  it('mints JWT-SVIDs and validates them only for their audience', async () => {
    const wl = createWorkloadApiClient(api.socketPath);
    try {
      const [svid] = await wl.fetchJwtSvid(['billing', 'orders']);
      assert.equal(svid?.spiffeId, WEB);
      const ok = await wl.validateJwtSvid(svid!.token, 'orders');
      assert.equal(ok.spiffeId, WEB);
      assert.equal(ok.claims.sub, WEB);
      assert.deepEqual(ok.claims.aud, ['billing', 'orders']);
      assert.equal(typeof ok.claims.exp, 'number');
      await assert.rejects(wl.validateJwtSvid(svid!.token, 'payments'), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && /aud/.test(e.details));
      const tampered = svid!.token.slice(0, -4) + (svid!.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      await assert.rejects(wl.validateJwtSvid(tampered, 'orders'), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT);
      const keys = await wl.fetchJwtBundles();
      assert.ok((keys['spiffe://cluster.local']?.keys.length ?? 0) >= 1);
    } finally {
      wl.close();
    }
  });

  it('refuses a JWT-SVID without audience and one for another identity', async () => {
    const wl = createWorkloadApiClient(api.socketPath);
    try {
      await assert.rejects(wl.fetchJwtSvid([]), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT);
      await assert.rejects(wl.fetchJwtSvid(['a'], 'spiffe://cluster.local/ns/default/sa/admin'), (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED);
      await assert.rejects(wl.validateJwtSvid('', 'a'), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT);
    } finally {
      wl.close();
    }
  });

  it('answers a malformed request with an error status and keeps serving the next call', async () => {
    const client = new grpc.Client(`unix:${api.socketPath}`, grpc.credentials.createInsecure());
    const md = new grpc.Metadata();
    md.set('workload.spiffe.io', 'true');
    const raw = (bytes: Buffer) => new Promise<grpc.ServiceError | null>((resolve) => {
      client.makeUnaryRequest('/SpiffeWorkloadAPI/FetchJWTSVID', (b: Buffer) => b, (b: Buffer) => b, bytes, md, (err) => resolve(err));
    });
    try {
      // audience: a length-delimited field claiming 100 bytes with 1 present, then invalid UTF-8.
      for (const bad of [Buffer.from([0x0a, 0x64, 0x61]), Buffer.from([0x0a, 0x02, 0xc3, 0x28])]) {
        const err = await raw(bad);
        assert.equal(err?.code, grpc.status.INTERNAL);
        assert.match(err.details, /deserializing request/);
      }
      // The same call, well formed (audience "a"), still works.
      assert.equal(await raw(Buffer.from([0x0a, 0x01, 0x61])), null);
    } finally {
      client.close();
    }
  });
});
