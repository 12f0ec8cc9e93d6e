import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headerValue } from '../../../src/policy/http/headers.js';

describe('headerValue', () => {
  it('finds a header whatever the case of its name', () => {
    assert.equal(headerValue({ 'User-Agent': 'curl' }, 'user-agent'), 'curl');
    assert.equal(headerValue({ 'user-agent': 'curl' }, 'USER-AGENT'), 'curl');
  });

  it('joins a header sent several times with a comma, as Envoy does', () => {
    assert.equal(headerValue({ 'x-a': ['1', '2'] }, 'x-a'), '1,2');
    assert.equal(headerValue({ 'X-A': '1', 'x-a': ['2', '3'] }, 'x-a'), '1,2,3');
  });

  it('returns undefined for an absent header and keeps an empty value', () => {
    assert.equal(headerValue({}, 'x-a'), undefined);
    assert.equal(headerValue({ 'x-a': '' }, 'x-a'), '');
  });
});
