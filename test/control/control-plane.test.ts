import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { startControlPlane } from '../../src/control/control-plane.js';
import { readStateFile } from '../../src/control/state-file.js';

const root = mkdtempSync(join(tmpdir(), 'mg-cp-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const log = pino({ level: 'silent' });
const start = () => startControlPlane({ dataDir: join(root, `d${n++}`), trustDomain: 'cluster.local', version: 'test', log });

// Admin answers are read field by field in assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** One admin request over the Unix socket. */
function call(socketPath: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  });
}

describe('control plane', () => {
  it('writes control-plane.json and serves a 0600 admin socket in a 0700 directory', async () => {
    const cp = await start();
    try {
      const dir = join(root, `d${n - 1}`);
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      assert.equal(statSync(cp.state.adminSocket).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'meshguard.db')).mode & 0o777, 0o600);
      const state = await readStateFile(dir);
      assert.deepEqual(Object.keys(state ?? {}).sort(), ['adminSocket', 'caAddress', 'configAddress', 'pid', 'startedAt', 'trustDomain', 'version']);
      assert.equal(state?.pid, process.pid);
      assert.match(state?.caAddress ?? '', /^127\.0\.0\.1:\d+$/);
      assert.match(state?.configAddress ?? '', /^127\.0\.0\.1:\d+$/);
      assert.equal((await call(cp.state.adminSocket, 'GET', '/v1/status')).json.ready, true);
    } finally {
      await cp.close();
    }
  });

  it('removes control-plane.json and the socket on close', async () => {
    const cp = await start();
    const dir = join(root, `d${n - 1}`);
    await cp.close();
    assert.equal(existsSync(join(dir, 'control-plane.json')), false);
    assert.equal(existsSync(cp.state.adminSocket), false);
  });

  it('refuses a second control plane on the same data directory', async () => {
    const cp = await start();
    try {
      await assert.rejects(startControlPlane({ dataDir: join(root, `d${n - 1}`), trustDomain: 'cluster.local', version: 'test', log }), { code: 'MG_CONTROL_ALREADY_RUNNING' });
    } finally {
      await cp.close();
    }
  });

  it('serves tokens and entries over the admin API, with error codes and statuses', async () => {
    const cp = await start();
    const sock = cp.state.adminSocket;
    try {
      const created = await call(sock, 'POST', '/v1/tokens', { namespace: 'payments', serviceAccount: 'checkout', ttlSeconds: 60 });
      assert.equal(created.status, 201);
      assert.equal(created.json.spiffeId, 'spiffe://cluster.local/ns/payments/sa/checkout');
      const listed = await call(sock, 'GET', '/v1/tokens');
      assert.ok(!JSON.stringify(listed.json).includes(created.json.token));
      assert.equal((await call(sock, 'DELETE', `/v1/tokens/${created.json.id}`)).status, 200);
      assert.deepEqual(await call(sock, 'DELETE', '/v1/tokens/nope'), { status: 404, json: { error: { code: 'MG_TOKEN_NOT_FOUND', message: 'no token with id nope (see `meshguard token list`)' } } });
      const entry = await call(sock, 'POST', '/v1/entries', { spiffeId: 'spiffe://cluster.local/a', selectors: ['k8s:ns:a'] });
      assert.equal(entry.status, 201);
      assert.equal((await call(sock, 'POST', '/v1/entries', { spiffeId: 'spiffe://cluster.local/a', selectors: ['k8s:ns:a'] })).json.error.code, 'MG_ENTRY_EXISTS');
      assert.equal((await call(sock, 'GET', '/v1/entries')).json.items.length, 1);
      assert.equal((await call(sock, 'DELETE', `/v1/entries/${entry.json.id}`)).status, 200);
      assert.equal((await call(sock, 'POST', '/v1/entries', '{not json')).json.error.code, 'MG_CONTROL_BAD_REQUEST');
      assert.equal((await call(sock, 'POST', '/v1/tokens', [1])).json.error.code, 'MG_CONTROL_BAD_REQUEST');
      assert.equal((await call(sock, 'GET', '/v1/nothing')).status, 404);
    } finally {
      await cp.close();
    }
  });

  it('refuses a bad trust domain before touching the disk', async () => {
    const dataDir = join(root, 'bad-td');
    await assert.rejects(startControlPlane({ dataDir, trustDomain: 'Bad Domain', version: 'test', log }), { code: 'MG_CONTROL_BAD_TRUST_DOMAIN' });
    assert.equal(existsSync(dataDir), false);
  });
});
