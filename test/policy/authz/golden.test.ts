/**
 * Golden cases: test/golden/authz/<case>.in.yaml holds policies, a mesh config
 * and requests with the outcome their source (seed text or Istio docs) states;
 * <case>.out.yaml holds the full decisions. `REFRESH_GOLDEN=1` rewrites the .out
 * files; a difference fails with a unified diff.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { authorize, compileAuthorization } from '../../../src/policy/authz/index.js';
import { meshWith, request, toPolicy, type RequestSketch } from './helpers.js';

const DIR = join(import.meta.dirname, '../../golden/authz');

interface GoldenRequest extends RequestSketch {
  name: string;
  /** The outcome the source states. */
  expect: 'ALLOW' | 'DENY' | 'CUSTOM';
  expectStatus?: number | string;
  expectPolicy?: string | null;
  customAllowed?: boolean;
}

interface GoldenCase {
  source: string;
  mesh?: Record<string, unknown>;
  policies: Record<string, unknown>[];
  requests: GoldenRequest[];
}

function run(c: GoldenCase): unknown {
  const compiled = compileAuthorization(c.policies.map((p, i) => toPolicy(p, i)), meshWith(c.mesh));
  const issues = compiled.issues.map((e) => ({ code: e.code, policy: e.policy, field: e.field, effect: e.effect, message: e.message }));
  const decisions = c.requests.map((r) => {
    const d = authorize(compiled, request(r), { customAllowed: r.customAllowed });
    const out: Record<string, unknown> = { name: r.name, decision: d.decision, status: d.status, policy: d.policy, ruleName: d.ruleName, reason: d.reason };
    if (d.provider) out['provider'] = d.provider;
    if (d.dryRun.length) out['dryRun'] = d.dryRun;
    if (d.audit.length) out['audit'] = d.audit;
    return out;
  });
  return issues.length ? { issues, decisions } : { decisions };
}

function unifiedDiff(expected: string, actual: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mg-golden-'));
  writeFileSync(join(dir, 'expected'), expected);
  writeFileSync(join(dir, 'actual'), actual);
  return spawnSync('diff', ['-u', join(dir, 'expected'), join(dir, 'actual')], { encoding: 'utf8' }).stdout;
}

describe('authorization golden cases', () => {
  const cases = readdirSync(DIR).filter((f) => f.endsWith('.in.yaml')).sort();
  it('has golden cases to run', () => assert.ok(cases.length >= 10));
  for (const file of cases) {
    const name = file.replace(/\.in\.yaml$/, '');
    it(`${name} gives the outcomes its source states and matches ${name}.out.yaml`, () => {
      const c = parse(readFileSync(join(DIR, file), 'utf8')) as GoldenCase;
      const compiled = compileAuthorization(c.policies.map((p, i) => toPolicy(p, i)), meshWith(c.mesh));
      for (const r of c.requests) {
        const d = authorize(compiled, request(r), { customAllowed: r.customAllowed });
        assert.equal(d.decision, r.expect, `${r.name}: ${d.reason}`);
        if (r.expectStatus !== undefined) assert.equal(d.status, r.expectStatus, r.name);
        if (r.expectPolicy !== undefined) assert.equal(d.policy, r.expectPolicy, r.name);
        const explained = authorize(compiled, request(r), { explain: true, customAllowed: r.customAllowed });
        assert.equal(explained.decision, d.decision, `${r.name}: explain agrees`);
      }
      const actual = stringify(run(c), { lineWidth: 0 });
      const outPath = join(DIR, `${name}.out.yaml`);
      if (process.env['REFRESH_GOLDEN'] === '1') writeFileSync(outPath, actual);
      if (!existsSync(outPath)) assert.fail(`${name}.out.yaml is missing: run with REFRESH_GOLDEN=1 and review it`);
      const expected = readFileSync(outPath, 'utf8');
      if (expected !== actual) assert.fail(`golden ${name}.out.yaml differs (REFRESH_GOLDEN=1 to accept):\n${unifiedDiff(expected, actual)}`);
    });
  }
});
