import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activateRotation, initialRotation, prepareRotation, retireRotation, rotationPhase, trustedRoots } from '../../../src/identity/rotation/slots.js';

const T0 = new Date('2026-03-01T00:00:00Z');
const DAY = 24 * 3600e3;
const slot = (id: string) => ({ id, root: `root-${id}` });

test('prepare, activate, retire: the bundle carries old and new roots during the overlap', () => {
  let s = initialRotation(slot('a'));
  assert.deepEqual(trustedRoots(s), ['root-a']);
  s = prepareRotation(s, slot('b'));
  assert.equal(rotationPhase(s), 'prepared');
  assert.equal(s.current.id, 'a', 'a prepared CA does not sign yet');
  assert.deepEqual(trustedRoots(s), ['root-a', 'root-b']);
  s = activateRotation(s, T0);
  assert.equal(s.current.id, 'b');
  assert.equal(rotationPhase(s), 'overlap');
  assert.deepEqual(trustedRoots(s), ['root-b', 'root-a']);
  s = retireRotation(s, new Date(T0.getTime() + DAY), { maxSvidTtlMs: DAY });
  assert.equal(rotationPhase(s), 'steady');
  assert.deepEqual(trustedRoots(s), ['root-b']);
  assert.deepEqual(s.retired, ['a']);
});

test('refuses steps out of order with the rotation state code', () => {
  const s = initialRotation(slot('a'));
  assert.throws(() => activateRotation(s, T0), { code: 'MG_CA_ROTATION_STATE', reason: 'nothing-prepared' });
  assert.throws(() => retireRotation(s, T0, { maxSvidTtlMs: DAY }), { code: 'MG_CA_ROTATION_STATE', reason: 'nothing-to-retire' });
  const p = prepareRotation(s, slot('b'));
  assert.throws(() => prepareRotation(p, slot('c')), { reason: 'already-prepared' });
  const o = activateRotation(p, T0);
  assert.throws(() => prepareRotation(o, slot('c')), { reason: 'previous-not-retired' });
  assert.throws(() => prepareRotation(s, slot('a')), { reason: 'id-reused' });
});

test('refuses to retire the old CA while SVIDs it signed may still be valid, unless forced', () => {
  const o = activateRotation(prepareRotation(initialRotation(slot('a')), slot('b')), T0);
  const early = new Date(T0.getTime() + DAY - 1);
  assert.throws(() => retireRotation(o, early, { maxSvidTtlMs: DAY }), { code: 'MG_CA_ROTATION_STATE', reason: 'svids-still-valid' });
  assert.deepEqual(trustedRoots(retireRotation(o, early, { maxSvidTtlMs: DAY, force: true })), ['root-b']);
});
