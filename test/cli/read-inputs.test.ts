import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readInputs } from '../../src/cli/read-inputs.js';

const root = mkdtempSync(join(tmpdir(), 'mg-read-'));
after(() => rmSync(root, { recursive: true, force: true }));
writeFileSync(join(root, 'b.yaml'), 'b');
writeFileSync(join(root, 'a.yml'), 'a');
writeFileSync(join(root, 'c.json'), '{}');
writeFileSync(join(root, 'notes.txt'), 'ignored');
mkdirSync(join(root, 'sub'));
writeFileSync(join(root, 'sub', 'd.yaml'), 'd');

test('a directory gives its own manifest files, sorted, and ignores other files', async () => {
  const r = await readInputs([root], { recursive: false });
  assert.deepEqual(r.inputs.map((i) => i.file), ['a.yml', 'b.yaml', 'c.json'].map((f) => join(root, f)));
  assert.deepEqual(r.errors, []);
});

test('-R recurses into subdirectories', async () => {
  const r = await readInputs([root], { recursive: true });
  assert.ok(r.inputs.some((i) => i.file === join(root, 'sub', 'd.yaml') && i.text === 'd'));
});

test('a file path is read whatever its extension, and - reads stdin', async () => {
  const r = await readInputs([join(root, 'notes.txt'), '-'], { recursive: false, stdin: Readable.from(['kind: X\n']) });
  assert.deepEqual(r.inputs, [{ file: join(root, 'notes.txt'), text: 'ignored' }, { file: '<stdin>', text: 'kind: X\n' }]);
});

test('a missing path is a clear MG_CONFIG_READ error and the other paths are still read', async () => {
  const r = await readInputs([join(root, 'nope.yaml'), join(root, 'a.yml')], { recursive: false });
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]?.code, 'MG_CONFIG_READ');
  assert.match(r.errors[0]!.message, /no such file or directory/);
  assert.equal(r.inputs.length, 1);
});
