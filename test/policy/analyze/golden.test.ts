/**
 * Analyzer golden cases. Each test/golden/analyze/<case>.in.yaml holds resources
 * (and an `istio` ConfigMap when the mesh config matters) plus `# expect:` lines
 * naming every finding it must give — `CODE Kind ns/name LINE FIELD`, or `none` —
 * so a near-miss next to each raising resource proves the analyzer stays quiet.
 * <case>.out.yaml holds the full findings; `REFRESH_GOLDEN=1` rewrites them, a
 * difference fails with a unified diff. The seeds' own YAML runs the same way.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { parseDocuments } from '../../../src/config/index.js';
import { analyze } from '../../../src/policy/analyze/analyze.js';
import { ANALYZER_CODES } from '../../../src/policy/analyze/codes.js';
import type { Finding } from '../../../src/policy/analyze/finding.js';

const ROOT = join(import.meta.dirname, '../../..');
const DIR = join(ROOT, 'test/golden/analyze');

/** `CODE Kind ns/name LINE FIELD`, the identity of a finding the cases name. */
function key(f: Finding): string {
  const res = f.resource ? `${f.resource.kind} ${f.resource.namespace}/${f.resource.name}` : '- -';
  return `${f.code} ${res} ${f.line ?? '-'} ${f.field ?? '-'}`;
}

function analyzeFiles(files: string[]): Finding[] {
  const loaded = parseDocuments(files.map((f) => ({ file: relative(ROOT, join(ROOT, f)), text: readFileSync(join(ROOT, f), 'utf8') })));
  const errors: Finding[] = loaded.errors.map((e) => ({
    level: 'Error', code: e.code, resource: null, file: e.file, line: e.line, column: e.column, field: e.field || null, message: e.message, fix: '',
  }));
  return [...errors, ...analyze(loaded.resources, loaded.mesh)];
}

function render(findings: Finding[]): string {
  const doc = findings.map((f) => ({
    level: f.level, code: f.code,
    resource: f.resource ? `${f.resource.kind} ${f.resource.namespace}/${f.resource.name}` : null,
    at: f.file ? `${f.file}:${f.line}:${f.column}` : null,
    field: f.field, message: f.message,
  }));
  return stringify(doc, { lineWidth: 0 });
}

function unifiedDiff(expected: string, actual: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mg-golden-'));
  writeFileSync(join(dir, 'expected'), expected);
  writeFileSync(join(dir, 'actual'), actual);
  return spawnSync('diff', ['-u', join(dir, 'expected'), join(dir, 'actual')], { encoding: 'utf8' }).stdout;
}

function checkGolden(name: string, findings: Finding[]): void {
  const actual = render(findings);
  const outPath = join(DIR, `${name}.out.yaml`);
  if (process.env['REFRESH_GOLDEN'] === '1') writeFileSync(outPath, actual);
  if (!existsSync(outPath)) assert.fail(`${name}.out.yaml is missing: run with REFRESH_GOLDEN=1 and review it`);
  const expected = readFileSync(outPath, 'utf8');
  if (expected !== actual) assert.fail(`golden ${name}.out.yaml differs (REFRESH_GOLDEN=1 to accept):\n${unifiedDiff(expected, actual)}`);
}

function expectedKeys(text: string): string[] {
  const lines = [...text.matchAll(/^# expect: (.+)$/gm)].map((m) => m[1]!.trim());
  return lines.filter((l) => l !== 'none').sort();
}

const cases = readdirSync(DIR).filter((f) => f.endsWith('.in.yaml')).sort();

describe('analyzer golden cases', () => {
  for (const file of cases) {
    const name = file.replace(/\.in\.yaml$/, '');
    it(`${name} gives exactly the findings its # expect lines name, as in ${name}.out.yaml`, () => {
      const path = `test/golden/analyze/${file}`;
      const text = readFileSync(join(ROOT, path), 'utf8');
      assert.match(text, /^# expect: /m, `${file} must say what it expects`);
      const findings = analyzeFiles([path]);
      assert.deepEqual(findings.map(key).sort(), expectedKeys(text));
      checkGolden(name, findings);
    });
  }

  it('raises every analyzer code in some case, and each code has a fix', () => {
    const raised = new Set(cases.flatMap((f) => expectedKeys(readFileSync(join(DIR, f), 'utf8')).map((k) => k.split(' ')[0])));
    for (const [code, entry] of Object.entries(ANALYZER_CODES)) {
      assert.ok(raised.has(code), `no golden case raises ${code}`);
      assert.ok(entry.fix.length > 10, `${code} has a fix`);
    }
  });
});

const EX = 'examples/istio-in-action';
const BASE = [`${EX}/workloads.yaml`, `${EX}/services.yaml`];
const CH9 = (...files: string[]) => [...BASE, ...files.map((f) => `${EX}/ch9/${f}`)];

/** The seeds' YAML, and what each gives. Keys as in `# expect:` lines. */
const SEEDS: { name: string; files: string[]; expect: string[] }[] = [
  { name: 'seed-000-network-policy', files: ['test/fixtures/config/seed-000-network-policy.yaml'], expect: [] },
  { name: 'seed-001-gateway', files: ['test/fixtures/config/seed-001-gateway.yaml'], expect: [] },
  {
    name: 'seed-003-security', files: ['test/fixtures/config/seed-003-security.yaml'],
    // The httpbin ALLOW needs a token only on version=v1 pods; other app=httpbin pods take requests without one.
    expect: ['MG_ANALYZE_JWT_NOT_REQUIRED RequestAuthentication abc/jwt-example 19 spec', 'MG_ANALYZE_NO_WORKLOADS - - - -'],
  },
  { name: 'seed-004-policies', files: ['test/fixtures/config/seed-004-policies.yaml'], expect: ['MG_ANALYZE_NO_WORKLOADS - - - -'] },
  { name: 'seed-004-typo', files: ['test/fixtures/config/seed-004-typo.yaml'], expect: ['MG_CONFIG_UNKNOWN_FIELD - - 13 spec.rules[0].from[1].source.namespace'] },
  { name: 'seed-004-ch9-mtls-steps', files: CH9('meshwide-strict-peer-authn.yaml', 'namespace-permissive-peer-authn.yaml', 'workload-permissive-peer-authn.yaml'), expect: [] },
  { name: 'seed-004-ch9-authz', files: CH9('meshwide-strict-peer-authn.yaml', 'workload-permissive-peer-authn.yaml', 'policy-deny-all-mesh.yaml', 'webapp-allow-view-default-ns.yaml', 'allow-unauthenticated-view-default-ns.yaml', 'catalog-viewer-policy.yaml', 'allow-catalog-requests-in-web-app.yaml'),
    // The chapter's own lesson: legacy sleep (plaintext) never matches `namespaces: ["default"]` on PERMISSIVE webapp.
    expect: ['MG_ANALYZE_PEER_ID_ON_PLAINTEXT_PORT AuthorizationPolicy istioinaction/webapp-allow-view-default-ns 8 spec.rules[0]'],
  },
  { name: 'seed-004-ch9-enduser', files: [...BASE, ...['ingress-gateway.yaml', 'jwt-token-request-authn.yaml', 'app-gw-requires-jwt.yaml', 'allow-all-with-jwt-to-webapp.yaml', 'allow-mesh-all-ops-admin.yaml'].map((f) => `${EX}/ch9/enduser/${f}`)], expect: [] },
  { name: 'seed-004-ch9-jwt-alone', files: [...BASE, `${EX}/ch9/enduser/ingress-gateway.yaml`, `${EX}/ch9/enduser/jwt-token-request-authn.yaml`],
    // Section 9.4 before app-gw-requires-jwt: requests without a token still reach the gateway's routes.
    expect: ['MG_ANALYZE_JWT_NOT_REQUIRED RequestAuthentication istio-system/jwt-token-request-authn 6 spec'],
  },
];

describe('analyzer on the seeds\' YAML', () => {
  for (const s of SEEDS) {
    it(`${s.name} gives ${s.expect.length ? s.expect.map((k) => k.split(' ')[0]).join(', ') : 'no finding'}`, () => {
      const findings = analyzeFiles(s.files);
      assert.deepEqual(findings.map(key).sort(), [...s.expect].sort());
      checkGolden(s.name, findings);
    });
  }
});
