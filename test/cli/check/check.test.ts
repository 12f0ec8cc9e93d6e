/**
 * `meshguard check` as a user runs it: the chapter 9 YAML from
 * examples/istio-in-action, request documents from examples/requests, the
 * flag form, stdin, bad input, and JWTs (Istio's sample token, an expired one).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { REPO, runCli } from '../../control/harness/cli.js';

const EX = 'examples/istio-in-action';
/** Section 9.3: mesh STRICT, webapp PERMISSIVE, deny-all, then "allow GET from the default namespace" on webapp. */
const CH9_AUTHZ = ['workloads.yaml', 'services.yaml', 'ch9/meshwide-strict-peer-authn.yaml', 'ch9/workload-permissive-peer-authn.yaml',
  'ch9/policy-deny-all-mesh.yaml', 'ch9/webapp-allow-view-default-ns.yaml'].flatMap((f) => ['-f', `${EX}/${f}`]);

const DOCUMENTED_KEYS = ['authn', 'authz', 'connection', 'mtls', 'response'];

/** The parts of `check -o json` these tests read. */
interface CheckJson {
  mtls: { mode: string; policy: string | null };
  connection: string;
  authn: { result: string; principal: string | null; error: string | null };
  authz: null | {
    decision: string; policy: string | null; rule: number | null; provider: string | null;
    trace: { policy: string; rules: { mismatches?: { attribute: string; actual: string }[] }[] }[];
  };
  response: number | string;
}

function parseOnlyDocument(stdout: string): CheckJson {
  // JSON.parse refuses trailing content, so this also proves there is exactly one document.
  const doc = JSON.parse(stdout) as CheckJson;
  for (const k of DOCUMENTED_KEYS) assert.ok(k in doc, `missing key ${k}`);
  return doc;
}

describe('meshguard check: output', () => {
  it('explains in words a plaintext caller denied by the chapter\'s namespace rule, naming the policy, rule and reason', async () => {
    const r = await runCli(['check', ...CH9_AUTHZ, '--request', 'examples/requests/sleep-to-webapp-plaintext.json']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Request {3}GET webapp\.istioinaction\/api\/catalog$/m);
    assert.match(r.stdout, /^mTLS {6}PERMISSIVE — workload policy istioinaction\/webapp sets PERMISSIVE$/m);
    assert.match(r.stdout, /^Response {2}403 RBAC: access denied$/m);
    assert.match(r.stdout, /ALLOW {2}istioinaction\/webapp-allow-view-default-ns \(namespace\) — no rule matched/);
    assert.match(r.stdout, /rule 0: no match — from\[0\]\.source\.namespaces: source\.namespace is \(plaintext: no peer identity\), expected default/);
    assert.match(r.stdout, /^Hint {6}rules naming principals or namespaces never match a plaintext caller/m);
  });

  it('prints exactly one JSON document with the documented keys for -o json, naming the deciding policy and rule', async () => {
    const r = await runCli(['check', ...CH9_AUTHZ, '--request', 'examples/requests/sleep-to-webapp-mtls.json', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = parseOnlyDocument(r.stdout);
    assert.deepEqual(doc.mtls.mode, 'PERMISSIVE');
    assert.equal(doc.mtls.policy, 'istioinaction/webapp');
    assert.equal(doc.connection, 'accepted');
    assert.deepEqual({ result: doc.authn.result, principal: doc.authn.principal, error: doc.authn.error }, { result: 'absent', principal: null, error: null });
    assert.ok(doc.authz);
    assert.equal(doc.authz.decision, 'ALLOW');
    assert.equal(doc.authz.policy, 'istioinaction/webapp-allow-view-default-ns');
    assert.equal(doc.authz.rule, 0);
    assert.equal(doc.authz.provider, null);
    assert.ok(Array.isArray(doc.authz.trace) && doc.authz.trace.length === 2, 'both applying policies are traced');
    assert.equal(doc.response, 200);
  });

  it('takes the request from flags: --to, --from, --method, --path, --header', async () => {
    const r = await runCli(['check', ...CH9_AUTHZ, '--to', 'istioinaction/app=webapp:8080', '--from', 'cluster.local/ns/default/sa/sleep',
      '--method', 'POST', '--path', '/api/catalog', '--header', 'x-multi=a', '--header', 'x-multi=b', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = parseOnlyDocument(r.stdout);
    assert.equal(doc.response, 403, 'the chapter allows only GET from the default namespace');
    const rule = doc.authz?.trace.find((t) => t.policy === 'istioinaction/webapp-allow-view-default-ns')?.rules[0];
    assert.deepEqual(rule?.mismatches?.map((m) => [m.attribute, m.actual]), [['request.method', 'POST']]);
  });

  it('reads the request document from stdin with --request -, and a closed connection for plaintext on STRICT catalog', async () => {
    const r = await runCli(['check', ...CH9_AUTHZ, '--request', '-', '-o', 'json'], {}, { stdin: readFileSync(join(REPO, 'examples/requests/sleep-to-catalog-plaintext.json'), 'utf8') });
    assert.equal(r.code, 0, r.stderr);
    const doc = parseOnlyDocument(r.stdout);
    assert.deepEqual([doc.mtls.mode, doc.connection, doc.authz, doc.response], ['STRICT', 'closed', null, 'connection-closed']);
  });

  it('evaluates a raw TCP connection without HTTP attributes', async () => {
    const r = await runCli(['check', ...CH9_AUTHZ, '--request', '-', '-o', 'json'], {}, {
      stdin: JSON.stringify({ destination: { namespace: 'istioinaction', labels: { app: 'catalog' }, port: 3000 }, source: { principal: 'cluster.local/ns/istioinaction/sa/webapp' }, request: { protocol: 'tcp' } }),
    });
    assert.equal(r.code, 0, r.stderr);
    const doc = parseOnlyDocument(r.stdout);
    assert.equal(doc.authn.result, 'absent');
    assert.equal(doc.response, 403, 'deny-all still applies to TCP');
  });
});

describe('meshguard check: bad input', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mg-check-'));
    writeFileSync(join(dir, 'typo.json'), '{"destination": {"namespace": "istioinaction", "labels": {"app": "webapp"}, "port": 8080},\n "request": {"methd": "GET"}}\n');
    writeFileSync(join(dir, 'broken.json'), '{"destination": ');
    writeFileSync(join(dir, 'empty.json'), '');
  });

  it('refuses an unknown field with file:line and the closest known name; nothing on stdout, exit 1', async () => {
    const r = await runCli(['check', '-f', `${EX}/workloads.yaml`, '--request', join(dir, 'typo.json')]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /typo\.json:2:14: request\.methd: unknown field `methd` \(did you mean `method`\?\)/);
  });

  it('refuses broken JSON and an empty document the same way', async () => {
    const [broken, empty] = await Promise.all([
      runCli(['check', '-f', `${EX}/workloads.yaml`, '--request', join(dir, 'broken.json'), '-o', 'json']),
      runCli(['check', '-f', `${EX}/workloads.yaml`, '--request', join(dir, 'empty.json')]),
    ]);
    assert.deepEqual([broken.code, broken.stdout], [1, '']);
    assert.match(broken.stderr, /broken\.json:1:\d+: /);
    assert.deepEqual([empty.code, empty.stdout], [1, '']);
    assert.match(empty.stderr, /empty\.json:1:1: the document is empty/);
  });

  it('refuses a configuration with errors (seed 004\'s `namespace` typo) before deciding anything', async () => {
    const r = await runCli(['check', '-f', 'test/fixtures/config/seed-004-typo.yaml', '--request', 'examples/requests/sleep-to-webapp-mtls.json']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /seed-004-typo\.yaml:13:9: spec\.rules\[0\]\.from\[1\]\.source\.namespace: unknown field `namespace` \(did you mean `namespaces`\?\)/);
  });
});

describe('meshguard check: tokens', () => {
  let dir: string;
  let expired: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mg-check-jwt-'));
    const jwks = readFileSync(join(REPO, 'test/fixtures/jwt/jwks.json'), 'utf8').replace(/\s+/g, ' ');
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const ours = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] };
    expired = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer('expired@example.test').setSubject('u1').setIssuedAt(1_600_000_000).setExpirationTime(1_600_000_600).sign(privateKey);
    const ra = (name: string, issuer: string, keys: string) => [
      'apiVersion: security.istio.io/v1', 'kind: RequestAuthentication', `metadata: {name: ${name}, namespace: foo}`,
      'spec:', '  selector:', '    matchLabels: {app: httpbin}', '  jwtRules:', `  - issuer: "${issuer}"`, `    jwks: '${keys}'`,
    ].join('\n');
    writeFileSync(join(dir, 'ra.yaml'), `${ra('istio-sample', 'testing@secure.istio.io', jwks)}\n---\n${ra('expiring', 'expired@example.test', JSON.stringify(ours))}\n`);
  });

  it('verifies Istio\'s sample token against inline jwks: principal testing@secure.istio.io/testing@secure.istio.io', async () => {
    const token = readFileSync(join(REPO, 'test/fixtures/jwt/demo.jwt'), 'utf8').trim();
    const r = await runCli(['check', '-f', join(dir, 'ra.yaml'), '--to', 'foo/app=httpbin:8000', '--path', '/headers', '--token', token, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = parseOnlyDocument(r.stdout);
    assert.equal(doc.authn.result, 'valid');
    assert.equal(doc.authn.principal, 'testing@secure.istio.io/testing@secure.istio.io');
    assert.equal(doc.response, 200);
  });

  it('answers 401 with Envoy\'s body for an expired token and for garbage, and says so in words', async () => {
    const [exp, garbage] = await Promise.all([
      runCli(['check', '-f', join(dir, 'ra.yaml'), '--to', 'foo/app=httpbin:8000', '--token', expired, '-o', 'json']),
      runCli(['check', '-f', join(dir, 'ra.yaml'), '--to', 'foo/app=httpbin:8000', '--token', 'not.a-jwt']),
    ]);
    assert.equal(exp.code, 0, exp.stderr);
    const doc = parseOnlyDocument(exp.stdout);
    assert.deepEqual([doc.authn.result, doc.authn.error, doc.authz, doc.response], ['invalid', 'Jwt is expired', null, 401]);
    assert.equal(garbage.code, 0, garbage.stderr);
    assert.match(garbage.stdout, /^Authn {5}invalid token in header:authorization — 401 Jwt/m);
    assert.match(garbage.stdout, /^Response {2}401 Jwt /m);
    assert.doesNotMatch(garbage.stdout + garbage.stderr, /not\.a-jwt/, 'the token itself is not echoed');
  });
});
