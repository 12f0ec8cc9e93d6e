import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openManagedCa, type ManagedCa } from '../../../src/control/ca-service/managed-ca.js';
import { openSqliteStore } from '../../../src/control/store/sqlite.js';
import type { Store } from '../../../src/control/store/store.js';
import {
  jwtKeySet, mintJwtSvid, parseBundleDocument, parseSpiffeId, parseTrustDomain, validateJwtSvid,
} from '../../../src/identity/index.js';

const TD = parseTrustDomain('cluster.local');
const WEB = parseSpiffeId('spiffe://cluster.local/ns/default/sa/web');
const root = mkdtempSync(join(tmpdir(), 'mg-jwt-rot-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

async function open(dataDir: string, store: Store): Promise<ManagedCa> {
  return openManagedCa({ dataDir, trustDomain: TD, store, now: () => new Date(), maxSvidTtlMs: 3600e3, cryptoWorkers: false });
}

const publishedKids = (ca: ManagedCa) => parseBundleDocument(JSON.stringify(ca.bundleDocument())).jwtKeys.map((k) => k.kid);

async function mintWith(ca: ManagedCa): Promise<string> {
  return mintJwtSvid({ spiffeId: WEB, audience: ['billing'], key: ca.jwtKey, now: () => new Date() });
}

/** Whether a relying party holding `ca`'s bundle now accepts `token`. */
async function accepted(ca: ManagedCa, token: string): Promise<boolean> {
  const bundle = parseBundleDocument(JSON.stringify(ca.bundleDocument()));
  try {
    await validateJwtSvid(token, { audience: 'billing', keys: jwtKeySet(bundle), trustDomain: TD, now: () => new Date() });
    return true;
  } catch {
    return false;
  }
}

describe('JWT-SVID signing keys rotate with the CA', () => {
  it('prepare publishes a new key beside the signing one, activate signs with it, retire drops the old one', async () => {
    const dataDir = join(root, `d${n++}`);
    const store = openSqliteStore(join(root, `s${n++}.db`));
    const ca = await open(dataDir, store);
    const first = ca.jwtKey.kid;
    assert.deepEqual(publishedKids(ca), [first]);
    const oldToken = await mintWith(ca);

    await ca.rotate('prepare');
    const kids = publishedKids(ca);
    assert.equal(kids.length, 2);
    assert.equal(kids[0], first);
    assert.equal(ca.jwtKey.kid, first, 'the prepared key does not sign yet');
    const second = kids[1]!;
    assert.notEqual(second, first);
    assert.equal(statSync(join(dataDir, 'ca', 'ca-2-jwt-key.pem')).mode & 0o777, 0o600);

    await ca.rotate('activate');
    assert.equal(ca.jwtKey.kid, second);
    assert.deepEqual(publishedKids(ca), [second, first], 'both keys during the overlap');
    const newToken = await mintWith(ca);
    assert.equal(JSON.parse(Buffer.from(newToken.split('.')[0]!, 'base64url').toString()).kid, second);
    assert.equal(await accepted(ca, oldToken), true, 'tokens signed before activation still validate during the overlap');
    assert.equal(await accepted(ca, newToken), true);

    await ca.rotate('retire', { force: true });
    assert.deepEqual(publishedKids(ca), [second]);
    assert.equal(await accepted(ca, oldToken), false, 'the retired key no longer validates anything');
    assert.equal(await accepted(ca, newToken), true);
    await store.close();
  });

  it('keeps each generation\'s key across a restart, and a CA from before this change keeps its one jwt-key.pem', async () => {
    const dataDir = join(root, `d${n++}`);
    const path = join(root, `s${n++}.db`);
    let store = openSqliteStore(path);
    let ca = await open(dataDir, store);
    const first = ca.jwtKey.kid;
    assert.equal(existsSync(join(dataDir, 'ca', 'jwt-key.pem')), true);
    await ca.rotate('prepare');
    const before = publishedKids(ca);
    await store.close();

    store = openSqliteStore(path);
    ca = await open(dataDir, store);
    assert.deepEqual(publishedKids(ca), before);
    assert.equal(ca.jwtKey.kid, first);
    await ca.rotate('activate');
    assert.equal(ca.jwtKey.kid, before[1]);
    await store.close();
  });
});
