import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verify } from 'node:crypto';
import { createKeyFileStore, loadKeyFileStore } from '../../../src/identity/ca/key-file.js';
import { loadPluggedCa } from '../../../src/identity/ca/load-ca-files.js';
import { TD, opensslIstioCacerts, tempDir } from '../support.js';

test('writes a new CA key file with mode 0600 and loads the same key back', () => {
  const path = join(tempDir(), 'ca-key.pem');
  const created = createKeyFileStore(path);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const loaded = loadKeyFileStore(path);
  assert.ok(loaded.publicKey.equals(created.publicKey));
  const data = Buffer.from('tbs');
  assert.ok(verify('sha256', data, created.publicKey, loaded.sign(data) as Buffer));
  assert.equal(created.algorithm, 'ec-p256');
});

test('never overwrites an existing key file', () => {
  const path = join(tempDir(), 'ca-key.pem');
  writeFileSync(path, 'old', { mode: 0o600 });
  assert.throws(() => createKeyFileStore(path), { code: 'EEXIST' });
});

test('refuses to load a CA key file readable by group or others', () => {
  const path = join(tempDir(), 'ca-key.pem');
  createKeyFileStore(path, 'rsa-2048');
  for (const mode of [0o640, 0o604, 0o644, 0o660]) {
    chmodSync(path, mode);
    assert.throws(() => loadKeyFileStore(path), { code: 'MG_CA_KEY_PERMISSIONS', reason: 'group-or-other-access' });
  }
  chmodSync(path, 0o400);
  assert.equal(loadKeyFileStore(path).algorithm, 'rsa-2048');
});

test('refuses a plugged-in CA whose ca-key.pem is world-readable', () => {
  const dir = opensslIstioCacerts();
  chmodSync(join(dir, 'ca-key.pem'), 0o644);
  assert.throws(() => loadPluggedCa(dir, TD), { code: 'MG_CA_KEY_PERMISSIONS' });
});

test('refuses a plugged-in CA directory with a file missing or a key that is not the CA certificate\'s', () => {
  const dir = opensslIstioCacerts();
  writeFileSync(join(dir, 'ca-key.pem'), '', { mode: 0o600 });
  assert.throws(() => loadPluggedCa(dir, TD), { code: 'MG_CA_FILES_INVALID', reason: 'bad-key' });
  const other = opensslIstioCacerts();
  chmodSync(join(other, 'ca-key.pem'), 0o600);
  // Swap in another CA's key: the key must match ca-cert.pem.
  writeFileSync(join(dir, 'ca-key.pem'), readFileSync(join(other, 'ca-key.pem'), 'utf8'), { mode: 0o600 });
  assert.throws(() => loadPluggedCa(dir, TD), { code: 'MG_CA_FILES_INVALID', reason: 'key-mismatch' });
  assert.throws(() => loadPluggedCa(tempDir(), TD), { code: 'MG_CA_FILES_INVALID', reason: 'unknown-layout' });
  rmSync(join(other, 'cert-chain.pem'));
  assert.throws(() => loadPluggedCa(other, TD), { code: 'MG_CA_FILES_INVALID', reason: 'missing-file' });
});
