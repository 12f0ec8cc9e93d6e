import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { authenticate } from '../../../src/policy/jwt/index.js';
import { remoteKeyResolver } from '../../../src/proxy/jwks/remote-resolver.js';
import { makeIssuer, type TestIssuer } from '../../policy/jwt/signer.js';

const fixture = (f: string) => readFileSync(new URL(`../../fixtures/jwt/${f}`, import.meta.url), 'utf8').trim();
const NOW = new Date('2026-01-01T00:00:00Z');
const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` }, path: '/' });

describe('remoteKeyResolver against a JWKS server on 127.0.0.1', () => {
  let server: Server;
  let base: string;
  let hits = 0;
  let served = fixture('jwks.json');
  let rotated: TestIssuer;

  before(async () => {
    rotated = await makeIssuer('ES256');
    server = createServer((req, res) => {
      hits++;
      if (req.url === '/slow') return; // never answers: the timeout must fire
      res.writeHead(200, { 'content-type': 'application/json' }).end(served);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('verifies Istio demo.jwt with keys fetched from jwksUri, fetching once', async () => {
    const keys = remoteKeyResolver({ cooldownMs: 0 });
    const rule = { issuer: 'testing@secure.istio.io', jwksUri: `${base}/jwks.json` };
    hits = 0;
    for (let i = 0; i < 3; i++) {
      const r = await authenticate([rule], bearer(fixture('demo.jwt')), keys, NOW);
      assert.equal(r.result === 'valid' && r.principal, 'testing@secure.istio.io/testing@secure.istio.io');
    }
    assert.equal(hits, 1);
    assert.deepEqual(keys.uris(), [`${base}/jwks.json`]);
  });

  it('re-fetches once on an unknown kid, picking up a rotated key', async () => {
    const keys = remoteKeyResolver({ cooldownMs: 0 });
    const rule = { issuer: 'rot@example.com', jwksUri: `${base}/rot.json` };
    const token = await rotated.sign({ iss: 'rot@example.com', sub: 'u' });
    served = fixture('jwks.json');
    const before = await authenticate([rule], bearer(token), keys, NOW);
    assert.equal(before.result === 'invalid' && before.code, 'MG_JWT_NO_MATCHING_KEY');
    served = rotated.jwks; // the IdP rotates: the unknown kid triggers one more fetch
    const r = await authenticate([rule], bearer(token), keys, NOW);
    assert.equal(r.result, 'valid');
  });

  it('answers 401 Jwks remote fetch is failed when the server does not answer in time', async () => {
    const keys = remoteKeyResolver({ timeoutMs: 200 });
    const token = await rotated.sign({ iss: 'slow@example.com', sub: 'u' });
    const r = await authenticate([{ issuer: 'slow@example.com', jwksUri: `${base}/slow` }], bearer(token), keys, NOW);
    assert.equal(r.result, 'invalid');
    if (r.result === 'invalid') assert.deepEqual([r.status, r.code, r.body], [401, 'MG_JWT_JWKS_FETCH_FAILED', 'Jwks remote fetch is failed']);
  });

  it('answers 401 when nothing listens at the jwksUri', async () => {
    const keys = remoteKeyResolver();
    const token = await rotated.sign({ iss: 'down@example.com', sub: 'u' });
    const r = await authenticate([{ issuer: 'down@example.com', jwksUri: 'http://127.0.0.1:9/jwks' }], bearer(token), keys, NOW);
    assert.equal(r.result === 'invalid' && r.code, 'MG_JWT_JWKS_FETCH_FAILED');
  });
});
