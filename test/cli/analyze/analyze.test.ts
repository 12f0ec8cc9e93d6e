/**
 * `meshguard analyze` as a user runs it: exit codes as istioctl's (0, or 79 when
 * something reaches --failure-threshold; 1 when the command itself fails),
 * -o json / -o yaml shapes, skipped kinds, and that it never fetches anything.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { runCli } from '../../control/harness/cli.js';

const EX = 'examples/istio-in-action';
const files = (...f: string[]) => f.flatMap((x) => ['-f', `${EX}/${x}`]);
const BASE = files('workloads.yaml', 'services.yaml');
/** Section 9.3's policies: one classic mistake (namespaces on PERMISSIVE webapp), no errors. */
const CH9_WARNINGS = [...BASE, ...files('ch9/meshwide-strict-peer-authn.yaml', 'ch9/workload-permissive-peer-authn.yaml', 'ch9/webapp-allow-view-default-ns.yaml')];
const FINDING_KEYS = ['code', 'column', 'field', 'file', 'fix', 'level', 'line', 'message', 'resource'];

describe('meshguard analyze: exit codes', () => {
  it('exits 0 and says so when nothing is found', async () => {
    const r = await runCli(['analyze', ...BASE, ...files('ch9/meshwide-strict-peer-authn.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^✔ No validation issues found when analyzing /);
  });

  it('exits 0 with warnings only, printing code, resource, file:line, field and the fix', async () => {
    const r = await runCli(['analyze', ...CH9_WARNINGS]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Warning \[MG_ANALYZE_PEER_ID_ON_PLAINTEXT_PORT\] \(AuthorizationPolicy webapp-allow-view-default-ns\.istioinaction\) examples\/istio-in-action\/ch9\/webapp-allow-view-default-ns\.yaml:8:5 spec\.rules\[0\]: /m);
    assert.match(r.stdout, /^ {4}fix: make the port STRICT/m);
  });

  it('exits 79 with --failure-threshold Warning when there are warnings', async () => {
    const r = await runCli(['analyze', ...CH9_WARNINGS, '--failure-threshold', 'Warning']);
    assert.equal(r.code, 79);
  });

  it('exits 79 on a configuration error (seed 004\'s typo), reported with file:line and the fix', async () => {
    const r = await runCli(['analyze', '-f', 'test/fixtures/config/seed-004-typo.yaml']);
    assert.equal(r.code, 79);
    assert.match(r.stdout, /^Error \[MG_CONFIG_UNKNOWN_FIELD\] test\/fixtures\/config\/seed-004-typo\.yaml:13:9 spec\.rules\[0\]\.from\[1\]\.source\.namespace: /m);
    assert.match(r.stdout, /fix: did you mean `namespaces`\?/);
  });

  it('exits 1 on a bad flag value, with nothing on stdout', async () => {
    const r = await runCli(['analyze', ...BASE, '--failure-threshold', 'Severe']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /--failure-threshold must be Info, Warning or Error, got "Severe"/);
  });
});

describe('meshguard analyze: inputs and shapes', () => {
  let dir: string;
  let server: Server;
  let hits = 0;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mg-analyze-'));
    server = createServer((_req, res) => {
      hits++;
      res.end('{"keys":[]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    writeFileSync(join(dir, 'ra.yaml'), [
      'apiVersion: security.istio.io/v1', 'kind: RequestAuthentication', 'metadata: {name: jwt, namespace: foo}', 'spec:',
      '  jwtRules:', '  - issuer: "testing@secure.istio.io"', `    jwksUri: "http://127.0.0.1:${port}/jwks.json"`,
    ].join('\n'));
    mkdirSync(join(dir, 'skipped-only'));
    writeFileSync(join(dir, 'skipped-only', 'cilium.yaml'), 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: x}\nspec: {endpointSelector: {matchLabels: {app: backend}}}\n');
    writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: x\n');
  });
  after(() => server.close());

  it('prints the findings as one JSON array with -o json, and never fetches a jwksUri', async () => {
    const r = await runCli(['analyze', '-f', join(dir, 'ra.yaml'), '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.equal(doc.length, 1);
    assert.deepEqual(Object.keys(doc[0]!).sort(), FINDING_KEYS);
    assert.deepEqual([doc[0]!['code'], doc[0]!['resource']], ['MG_ANALYZE_JWT_NOT_REQUIRED', { kind: 'RequestAuthentication', namespace: 'foo', name: 'jwt' }]);
    assert.equal(hits, 0, 'analyze fetched the jwksUri');
  });

  it('prints the same shape as YAML with -o yaml', async () => {
    const r = await runCli(['analyze', ...CH9_WARNINGS, '-o', 'yaml']);
    assert.equal(r.code, 0, r.stderr);
    const doc = parse(r.stdout) as Record<string, unknown>[];
    assert.deepEqual(doc.map((f) => [f['level'], f['code'], f['line'], f['field']]), [['Warning', 'MG_ANALYZE_PEER_ID_ON_PLAINTEXT_PORT', 8, 'spec.rules[0]']]);
    assert.deepEqual(Object.keys(doc[0]!).sort(), FINDING_KEYS);
  });

  it('treats a folder whose files hold only skipped kinds as no error (exit 0, a note on stderr)', async () => {
    const r = await runCli(['analyze', '-f', join(dir, 'skipped-only')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^note: .*cilium\.yaml:1: skipped cilium\.io\/v2 CiliumNetworkPolicy/m);
    assert.match(r.stdout, /No validation issues/);
  });

  it('reports broken YAML as an error finding instead of crashing (exit 79)', async () => {
    const r = await runCli(['analyze', '-f', join(dir, 'broken.yaml'), '-o', 'json']);
    assert.equal(r.code, 79, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.equal(doc[0]!['level'], 'Error');
    assert.match(String(doc[0]!['code']), /^MG_CONFIG_/);
    assert.match(String(doc[0]!['file']), /broken\.yaml$/);
  });
});
