import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { CaApi } from '../../../src/proxy/identity/ca-api.js';
import { createIdentityClient, type IdentityClient } from '../../../src/proxy/identity/identity-client.js';
import { generateWorkloadKey } from '../../../src/proxy/identity/workload-key.js';
import type { ProxyIdentity } from '../../../src/proxy/model.js';
import { GOOD_TOKEN, WEB, flakyCa, memoryLog, newRoot, tempDir, testCa, waitFor } from './support.js';

const attestation = { type: 'join', evidence: { token: GOOD_TOKEN } };
const fastBackoff = { initialMs: 100, maxMs: 400 };
const clients: IdentityClient[] = [];
const dirs: Array<{ remove(): void }> = [];
after(() => {
  for (const c of clients) c.close();
  for (const d of dirs) d.remove();
});

function client(ca: CaApi, extra: Partial<Parameters<typeof createIdentityClient>[0]> = {}) {
  const log = memoryLog();
  const c = createIdentityClient({ ca, attestation, log, random: () => 0.5, backoff: fastBackoff, ...extra });
  clients.push(c);
  return { c, log };
}

const serialOf = (id: ProxyIdentity) => new X509Certificate(id.certChainPem).serialNumber;

describe('identity client', () => {
  it('gets an X.509-SVID for the attested ID whose key it holds', async () => {
    const { c } = client(await testCa(60_000));
    const id = await c.start();
    assert.equal(id.spiffeId, WEB);
    const leaf = new X509Certificate(id.certChainPem);
    assert.equal(leaf.subjectAltName, `URI:${WEB}`);
    assert.ok(leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(id.keyPem)));
    assert.ok(leaf.verify(new X509Certificate(id.bundlePem).publicKey));
    assert.equal(c.status().state, 'ready');
  });

  it('fails start on a refused attestation without asking again', async () => {
    const ca = await testCa(60_000);
    let calls = 0;
    const counting: CaApi = { ...ca, sign: (r) => (calls++, ca.sign(r)) };
    const { c } = client(counting, { attestation: { type: 'join', evidence: { token: 'stolen-or-wrong' } } });
    await assert.rejects(c.start(), { code: 'MG_CA_UNAUTHENTICATED' });
    assert.equal(calls, 1);
    assert.throws(() => c.current(), { code: 'MG_IDENTITY_NOT_READY' });
  });

  it('retries the first request with backoff while the CA is unavailable', async () => {
    let down = true;
    const ca = flakyCa(await testCa(60_000), () => down);
    setTimeout(() => (down = false), 350);
    const { c, log } = client(ca);
    const id = await c.start();
    assert.equal(id.spiffeId, WEB);
    assert.ok(ca.refused >= 2, `refused ${ca.refused}`);
    assert.equal(c.status().failures, ca.refused);
    assert.ok(log.lines.some((l) => l.level === 'warn' && (l.fields as { code?: string }).code === 'MG_CA_UNAVAILABLE'));
  });

  it('keeps the key in a 0600 file replaced on renewal, and never logs it', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const keyFile = join(dir.path, 'key.pem');
    const { c, log } = client(await testCa(2000), { keyFile });
    const first = await c.start();
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.equal(readFileSync(keyFile, 'utf8'), first.keyPem);
    assert.ok(await waitFor(() => c.current().keyPem !== first.keyPem, 3000), 'renewed');
    assert.equal(readFileSync(keyFile, 'utf8'), c.current().keyPem);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const body = (pem: string) => pem.split('\n').slice(1, -2).join('');
    for (const pem of [first.keyPem, c.current().keyPem]) {
      assert.ok(!log.text().includes(body(pem).slice(0, 40)), 'key bytes in the log');
    }
    assert.ok(!log.text().includes('PRIVATE KEY'));
  });

  it('renews at half the lifetime with a new key and tells listeners', async () => {
    const { c } = client(await testCa(2000));
    const first = await c.start();
    const s = c.status();
    const half = s.notBefore!.getTime() + (s.notAfter!.getTime() - s.notBefore!.getTime()) / 2;
    assert.ok(Math.abs(s.nextRenewalAt!.getTime() - half) <= 1, 'renewal planned at 50 % (jitter 0 with random 0.5)');
    const seen: ProxyIdentity[] = [];
    c.onChange((id) => seen.push(id));
    assert.ok(await waitFor(() => seen.length > 0, 3000));
    assert.notEqual(serialOf(seen[0]!), serialOf(first));
    assert.notEqual(seen[0]!.keyPem, first.keyPem);
    assert.ok(Date.now() < first.notAfter.getTime(), 'renewed before the old one expired');
    assert.equal(c.status().renewals, 2);
  });

  it('keeps the old SVID while renewals fail, logs and counts them, then renews before expiry', async () => {
    let down = false;
    const ca = flakyCa(await testCa(3000), () => down);
    const { c, log } = client(ca, { renewFraction: 0.3 });
    const first = await c.start();
    down = true;
    assert.ok(await waitFor(() => c.status().consecutiveFailures >= 2, 2500), 'retried');
    assert.equal(c.current(), first, 'old SVID still in use');
    assert.equal(c.status().state, 'retrying');
    assert.ok(log.lines.filter((l) => l.level === 'warn').length >= 2);
    down = false;
    assert.ok(await waitFor(() => c.current() !== first, 2000), 'renewed once the CA is back');
    assert.ok(Date.now() < first.notAfter.getTime(), 'before the old one expired');
    assert.equal(c.status().consecutiveFailures, 0);
    assert.ok(c.status().failures >= 2);
  });

  it('picks up a root rotation from the bundle', async () => {
    const ca = await testCa(60_000);
    const { c } = client(ca, { bundleRefreshMs: 100 });
    const first = await c.start();
    const seen: ProxyIdentity[] = [];
    c.onChange((id) => seen.push(id));
    await ca.rotateTo(await newRoot());
    assert.ok(await waitFor(() => seen.length > 0, 2000), 'listeners told');
    const id = seen[0]!;
    assert.ok(id.bundlePem.startsWith(first.bundlePem), 'old root still trusted');
    assert.ok(id.bundlePem.length > first.bundlePem.length, 'new root added');
    assert.equal(c.bundle().sequence, 2);
  });

  it('refuses a CA answer that certifies another key', async () => {
    const ca = await testCa(60_000);
    const other = await generateWorkloadKey();
    // A CA (or anyone in between) answering with a certificate for someone else's key.
    const swapping: CaApi = { ...ca, sign: (r) => ca.sign({ ...r, csrDer: other.csrDer }) };
    const { c } = client(swapping);
    await assert.rejects(c.start(), { code: 'MG_IDENTITY_SVID_MISMATCH' });
  });
});
