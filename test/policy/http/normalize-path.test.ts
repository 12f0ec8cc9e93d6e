import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PathNormalization } from '../../../src/config/kinds.js';
import { normalizePath } from '../../../src/policy/http/normalize-path.js';

// Rows from Envoy's normalize_path / merge_slashes / path_with_escaped_slashes_action docs
// and Istio's "path normalization" table in ops/best-practices/security.
const rows: [mode: PathNormalization, raw: string, want: string][] = [
  ['BASE', '/a/./b', '/a/b'],
  ['BASE', '/a/../b', '/b'],
  ['BASE', '/../../a', '/a'],
  ['BASE', '/a/b/..', '/a/'],
  ['BASE', '/%61dmin', '/admin'],
  ['BASE', '/%7Euser', '/~user'],
  ['BASE', '/a/%2e%2E/b', '/b'],
  ['BASE', '/a%2Fb', '/a%2Fb'],
  ['BASE', '/a%2fb', '/a%2fb'],
  ['BASE', '/a//b', '/a//b'],
  ['BASE', '/a\\b', '/a/b'],
  ['BASE', '/a b', '/a%20b'],
  ['BASE', '/a?x=/../y', '/a'],
  ['BASE', '/a%3Fb', '/a%3Fb'],
  ['MERGE_SLASHES', '/a//b///c', '/a/b/c'],
  ['MERGE_SLASHES', '/a%2F%2Fb', '/a%2F%2Fb'],
  ['DECODE_AND_MERGE_SLASHES', '/a%2F%2fb', '/a/b'],
  ['DECODE_AND_MERGE_SLASHES', '/a%5Cb', '/a/b'],
  ['DECODE_AND_MERGE_SLASHES', '/a/%2e%2e%2Fb', '/b'],
  ['NONE', '/a/./b//%61?q', '/a/./b//%61'],
];

describe('normalizePath', () => {
  for (const [mode, raw, want] of rows) {
    it(`${mode}: ${raw} becomes ${want}`, () => {
      assert.deepEqual(normalizePath(raw, mode), { ok: true, path: want });
    });
  }

  it('refuses %00 in every normalizing mode, so the proxy answers 400', () => {
    for (const mode of ['BASE', 'MERGE_SLASHES', 'DECODE_AND_MERGE_SLASHES'] as const) {
      const r = normalizePath('/admin%00.html', mode);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.reason, /%00/);
    }
  });

  it('refuses raw control characters, fragments and relative paths', () => {
    for (const raw of ['/a\u0000b', '/a\nb', '/a#frag', 'a/b', '']) {
      assert.equal(normalizePath(raw, 'BASE').ok, false, JSON.stringify(raw));
    }
  });

  it('keeps case: /ADMIN is not /admin', () => {
    assert.deepEqual(normalizePath('/ADMIN', 'BASE'), { ok: true, path: '/ADMIN' });
  });
});
