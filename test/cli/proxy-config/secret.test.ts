import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createIdentityClient, type IdentityClient } from '../../../src/proxy/identity/identity-client.js';
import { secretsHandler } from '../../../src/proxy/identity/secrets-handler.js';
import { runCli } from '../../control/harness/cli.js';
import { GOOD_TOKEN, memoryLog, tempDir, testCa } from '../../proxy/identity/support.js';

let identity: IdentityClient;
let admin: Server;
let dir: { path: string; remove(): void };
const mg = (...args: string[]) => runCli(['proxy-config', 'secret', ...args, '--data-dir', dir.path]);

before(async () => {
  dir = tempDir();
  identity = createIdentityClient({ ca: await testCa(3600_000), attestation: { type: 'join', evidence: { token: GOOD_TOKEN } }, log: memoryLog() });
  await identity.start();
  const handler = secretsHandler(identity);
  admin = createServer((req, res) => (req.url === '/secrets' ? handler(req, res) : res.writeHead(404).end()));
  await new Promise<void>((r) => admin.listen(0, '127.0.0.1', r));
  mkdirSync(join(dir.path, 'proxies'));
  writeFileSync(join(dir.path, 'proxies', 'default.web.json'), JSON.stringify({ adminAddress: `127.0.0.1:${(admin.address() as AddressInfo).port}` }));
});
after(() => {
  identity.close();
  admin.close();
  dir.remove();
});

describe('meshguard proxy-config secret', () => {
  it('prints istioctl’s table with the workload chain and the root', async () => {
    const r = await mg('default/web');
    assert.equal(r.code, 0, r.stderr);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    assert.match(header!, /^RESOURCE NAME\s+TYPE\s+STATUS\s+VALID CERT\s+SERIAL NUMBER\s+NOT AFTER\s+NOT BEFORE$/);
    const serial = new X509Certificate(identity.current().certChainPem).serialNumber.toLowerCase();
    assert.match(rows[0]!, new RegExp(`^default\\s+Cert Chain\\s+ACTIVE\\s+true\\s+${serial}\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\s+\\d{4}-`));
    assert.match(rows[1]!, /^ROOTCA\s+CA\s+ACTIVE\s+true\s+[0-9a-f]+\s/);
    assert.equal(rows.length, 2);
  });

  it('-o json carries the certificate PEMs but never the key', async () => {
    const r = await mg('default/web', '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { secrets: Array<{ resourceName: string; pem: string }> };
    assert.equal(doc.secrets[0]?.pem, identity.current().certChainPem);
    assert.equal(doc.secrets[1]?.pem, identity.current().bundlePem);
    assert.ok(!r.stdout.includes('PRIVATE KEY'));
  });

  it('explains a workload without a running proxy and a malformed name', async () => {
    const missing = await mg('default/nope');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no proxy for default\/nope/);
    const bad = await mg('web');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /workload must be <namespace>\/<name>, not "web"/);
  });
});
