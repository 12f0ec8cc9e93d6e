import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { k8sPsatAttestor, kubernetesTokenReviewer } from '../../../src/identity/attestors/index.js';
import { openssl, tempDir } from '../support.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/k8s/${name}.json`, import.meta.url), 'utf8');

/** A local stand-in for the API server (127.0.0.1, its own CA) replaying recorded TokenReview answers. */
let server: Server;
let dir: string;
let port: number;
const seen: { method?: string; url?: string; auth?: string; body: string }[] = [];
let answer: { status: number; body: string } = { status: 201, body: fixture('authenticated') };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mg-k8s-'));
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'ca.crt',
    '-subj', '/CN=kube-apiserver', '-days', '2', '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir });
  writeFileSync(join(dir, 'token'), 'control-plane-sa-token\n');
  server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'ca.crt')) }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const reviewer = () => kubernetesTokenReviewer({ host: '127.0.0.1', port, tokenPath: join(dir, 'token'), caPath: join(dir, 'ca.crt'), timeoutMs: 3000 }, {});

describe('kubernetesTokenReviewer (undici, in-cluster config, recorded API server answers)', () => {
  it('POSTs a v1 TokenReview with the control plane service-account token and attests from the answer', async () => {
    answer = { status: 201, body: fixture('authenticated') };
    const psat = k8sPsatAttestor(await reviewer());
    const a = await psat.attest({ token: 'projected.workload.token' });
    assert.equal(a.namespace, 'payments');
    assert.equal(a.serviceAccount, 'checkout-service');
    const req = seen.at(-1)!;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/apis/authentication.k8s.io/v1/tokenreviews');
    assert.equal(req.auth, 'Bearer control-plane-sa-token');
    assert.deepEqual(JSON.parse(req.body), { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'projected.workload.token', audiences: ['meshguard'] } });
  });

  it('fails closed with MG_ATTEST_UNAVAILABLE naming the HTTP status when RBAC forbids TokenReview', async () => {
    answer = { status: 403, body: fixture('error-forbidden') };
    await assert.rejects(k8sPsatAttestor(await reviewer()).attest({ token: 't' }), (err: { code: string; message: string }) => {
      assert.equal(err.code, 'MG_ATTEST_UNAVAILABLE');
      assert.match(err.message, /HTTP 403.*system:auth-delegator/);
      assert.ok(!err.message.includes('control-plane-sa-token'));
      return true;
    });
  });

  it('refuses an API server whose certificate the cluster CA did not sign', async () => {
    answer = { status: 201, body: fixture('authenticated') };
    const other = tempDir();
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'k.pem', '-out', 'ca.crt', '-subj', '/CN=other', '-days', '2'], { cwd: other });
    const r = await kubernetesTokenReviewer({ host: '127.0.0.1', port, tokenPath: join(dir, 'token'), caPath: join(other, 'ca.crt') }, {});
    await assert.rejects(k8sPsatAttestor(r).attest({ token: 't' }), { code: 'MG_ATTEST_UNAVAILABLE' });
  });

  it('says it is not in Kubernetes when KUBERNETES_SERVICE_HOST is unset', async () => {
    await assert.rejects(kubernetesTokenReviewer({}, {}), { code: 'MG_ATTEST_UNAVAILABLE', message: /KUBERNETES_SERVICE_HOST is not set/ });
  });
});
