import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProxyMessage } from '../../src/wire/index.js';

const refusal = (v: unknown) => {
  const r = parseProxyMessage(v);
  assert.equal(r.ok, false, `expected a refusal for ${JSON.stringify(v)}`);
  return (r as { error: string }).error;
};

describe('parseProxyMessage, the hand-written check of what a proxy sends', () => {
  it('accepts the three messages and returns only their own fields', () => {
    assert.deepEqual(parseProxyMessage({ type: 'hello', namespace: 'shop', name: 'web', labels: { app: 'web' }, serviceAccount: 'web-sa' }),
      { ok: true, message: { type: 'hello', namespace: 'shop', name: 'web', labels: { app: 'web' }, serviceAccount: 'web-sa' } });
    assert.deepEqual(parseProxyMessage({ type: 'hello', namespace: 'shop', name: 'web' }), { ok: true, message: { type: 'hello', namespace: 'shop', name: 'web' } });
    assert.deepEqual(parseProxyMessage({ type: 'ack', version: 'a1b2' }), { ok: true, message: { type: 'ack', version: 'a1b2' } });
    assert.deepEqual(parseProxyMessage({ type: 'nack', version: 'a1b2', error: '' }), { ok: true, message: { type: 'nack', version: 'a1b2', error: '' } });
  });

  it('refuses unknown keys, on every message type (strict)', () => {
    assert.equal(refusal({ type: 'ack', version: 'a', extra: 1 }), 'extra: unknown key');
    assert.equal(refusal({ type: 'hello', namespace: 'a', name: 'b', spiffeId: 'spiffe://x' }), 'spiffeId: unknown key');
    assert.equal(refusal({ type: 'nack', version: 'a', error: 'e', code: 'x' }), 'code: unknown key');
  });

  it('refuses what is not a message: not an object, an array, an unknown or missing type', () => {
    assert.equal(refusal(null), 'a message must be a JSON object');
    assert.equal(refusal(['hello']), 'a message must be a JSON object');
    assert.equal(refusal('hello'), 'a message must be a JSON object');
    assert.equal(refusal({ type: 'snapshot' }), 'type: must be one of hello, ack, nack');
    assert.equal(refusal({ namespace: 'a' }), 'type: must be one of hello, ack, nack');
  });

  it('holds names to DNS-1123 and 253 characters', () => {
    assert.equal(refusal({ type: 'hello', namespace: '../etc', name: 'x' }), 'namespace: must be a DNS-1123 name');
    assert.equal(refusal({ type: 'hello', namespace: 'a', name: 'Web' }), 'name: must be a DNS-1123 name');
    assert.equal(refusal({ type: 'hello', namespace: 'a', name: '' }), 'name: must not be empty');
    assert.equal(refusal({ type: 'hello', namespace: 'a' }), 'name: required');
    assert.equal(refusal({ type: 'hello', namespace: 7, name: 'a' }), 'namespace: must be a string');
    assert.equal(refusal({ type: 'hello', namespace: 'a', name: 'b', serviceAccount: 'A_B' }), 'serviceAccount: must be a DNS-1123 name');
    assert.equal(parseProxyMessage({ type: 'hello', namespace: 'a', name: 'b'.repeat(253) }).ok, true);
    assert.equal(refusal({ type: 'hello', namespace: 'a', name: 'b'.repeat(254) }), 'name: must be at most 253 characters');
  });

  it('holds labels to an object of strings, keys of 317 and values of 63 characters', () => {
    const hello = (labels: unknown) => ({ type: 'hello', namespace: 'a', name: 'b', labels });
    assert.equal(parseProxyMessage(hello({ ['k'.repeat(317)]: 'v'.repeat(63) })).ok, true);
    assert.equal(refusal(hello({ ['k'.repeat(318)]: 'v' })), 'labels: a key is longer than 317 characters');
    assert.equal(refusal(hello({ app: 'v'.repeat(64) })), 'labels.app: must be at most 63 characters');
    assert.equal(refusal(hello({ app: 1 })), 'labels.app: must be a string');
    assert.equal(refusal(hello(['a'])), 'labels: must be an object of strings');
  });

  it('keeps a label named __proto__ as a plain key and never touches the prototype', () => {
    const r = parseProxyMessage(JSON.parse('{"type":"hello","namespace":"a","name":"b","labels":{"__proto__":"x"}}'));
    assert.equal(r.ok, true);
    const labels = (r as { message: { labels: Record<string, string> } }).message.labels;
    assert.deepEqual(Object.keys(labels), ['__proto__']);
    assert.equal(Object.getPrototypeOf(labels), Object.prototype);
  });

  it('holds versions to 1..128 characters and NACK errors to 4096', () => {
    assert.equal(parseProxyMessage({ type: 'ack', version: 'v'.repeat(128) }).ok, true);
    assert.equal(refusal({ type: 'ack', version: 'v'.repeat(129) }), 'version: must be at most 128 characters');
    assert.equal(refusal({ type: 'ack', version: '' }), 'version: must not be empty');
    assert.equal(parseProxyMessage({ type: 'nack', version: 'v', error: 'e'.repeat(4096) }).ok, true);
    assert.equal(refusal({ type: 'nack', version: 'v', error: 'e'.repeat(4097) }), 'error: must be at most 4096 characters');
    assert.equal(refusal({ type: 'nack', version: 'v' }), 'error: required');
  });
});
