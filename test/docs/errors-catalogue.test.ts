import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '../..');
const CODE_LITERAL = /'(MG_[A-Z0-9_]+)'/g;
const DOCUMENTED = /`(MG_[A-Z0-9_]+)`/g;

function codesInSource(): Set<string> {
  const codes = new Set<string>();
  const files = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  for (const f of files) for (const m of readFileSync(join(ROOT, 'src', f), 'utf8').matchAll(CODE_LITERAL)) codes.add(m[1] as string);
  return codes;
}

describe('docs/errors.md, the catalogue of error codes', () => {
  const source = codesInSource();
  const documented = new Set([...readFileSync(join(ROOT, 'docs/errors.md'), 'utf8').matchAll(DOCUMENTED)].map((m) => m[1] as string));

  it('finds the codes in src/ (the scan itself works)', () => {
    assert.ok(source.has('MG_JWT_EXPIRED') && source.size > 50, `found only ${source.size} codes`);
  });

  it('documents every code defined in src/', () => {
    assert.deepEqual([...source].filter((c) => !documented.has(c)).sort(), []);
  });

  it('documents no code that src/ no longer defines', () => {
    assert.deepEqual([...documented].filter((c) => !source.has(c)).sort(), []);
  });
});
