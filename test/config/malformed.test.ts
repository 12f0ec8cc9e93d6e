import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocuments } from '../../src/config/index.js';
import { FIXTURES, load } from './helpers.js';

const CASES: [string, string, string][] = [
  ['tabs in indentation', 'apiVersion: v1\nkind: Service\nmetadata:\n\tname: x\n', 'MG_CONFIG_YAML_SYNTAX'],
  ['binary garbage', '\u0000\u0001\u00ff\ufffd{{[[', 'MG_CONFIG_NOT_A_RESOURCE'],
  ['unclosed quote', 'apiVersion: "v1\nkind: Service\n', 'MG_CONFIG_YAML_SYNTAX'],
  ['duplicate keys', 'apiVersion: v1\napiVersion: v1\nkind: Service\n', 'MG_CONFIG_YAML_SYNTAX'],
  ['a scalar document', 'just words', 'MG_CONFIG_NOT_A_RESOURCE'],
  ['a bare list', '- a\n- b\n', 'MG_CONFIG_NOT_A_RESOURCE'],
  ['no kind', 'apiVersion: v1\nmetadata: {name: x}\n', 'MG_CONFIG_NOT_A_RESOURCE'],
  ['huge number', 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: 1e400}]}\n', 'MG_CONFIG_INVALID_VALUE'],
  ['deep nesting', `apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {selector: ${'['.repeat(2000)}${']'.repeat(2000)}}\n`, 'MG_CONFIG_YAML_SYNTAX'],
];

for (const [name, text, code] of CASES) {
  test(`${name} gives ${code}, not a crash`, () => {
    const r = load(text);
    assert.equal(r.resources.length, 0);
    assert.ok(r.errors.some((e) => e.code === code), r.errors.map((e) => `${e.code} ${e.message}`).join('; '));
    assert.ok(r.errors.every((e) => !/call stack/.test(e.message)));
  });
}

test('an alias bomb is refused quickly as a syntax error', () => {
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
  const started = performance.now();
  const r = load(`${levels.join('\n')}\n`);
  assert.ok(performance.now() - started < 2000);
  assert.equal(r.errors[0]?.code, 'MG_CONFIG_YAML_SYNTAX');
});

const seeds = ['seed-003-security.yaml', 'seed-004-policies.yaml', 'seed-001-gateway.yaml'].map((f) => readFileSync(join(FIXTURES, f), 'utf8'));

function isLoadResult(r: unknown): boolean {
  const x = r as Record<string, unknown>;
  return Array.isArray(x.resources) && Array.isArray(x.errors) && Array.isArray(x.notes) && typeof x.mesh === 'object';
}

test('random strings never throw and always give a LoadResult', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300, unit: 'binary' }), (text) => {
      const r = parseDocuments([{ file: 'f.yaml', text }], { meshConfigFile: { file: 'm.yaml', text } });
      assert.ok(isLoadResult(r));
      for (const e of r.errors) assert.ok(e.line >= 1 && e.column >= 1);
    }),
    { numRuns: 300 },
  );
});

test('random mutations of valid documents never throw and every error has a position', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.constantFrom(' ', '\t', ':', '-', '{', ']', '"', '&a', '*a', '\n', 'x', '0', '#')), { maxLength: 8 }),
      (seed, edits) => {
        let text = seed;
        for (const [at, op, s] of edits) {
          const i = at % (text.length + 1);
          text = op === 0 ? text.slice(0, i) + text.slice(i + 1) : op === 1 ? text.slice(0, i) + s + text.slice(i) : text.slice(0, i) + s + text.slice(i + s.length);
        }
        const r = parseDocuments([{ file: 'f.yaml', text }]);
        assert.ok(isLoadResult(r));
        for (const e of r.errors) assert.ok(e.file === 'f.yaml' && e.line >= 1 && e.column >= 1 && typeof e.code === 'string');
      },
    ),
    { numRuns: 150 },
  );
});
