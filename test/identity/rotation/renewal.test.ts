import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renewAt, shouldRenew } from '../../../src/identity/rotation/renewal.js';

const NB = new Date('2026-03-01T00:00:00Z');
const NA = new Date('2026-03-02T00:00:00Z');
const H = 3600e3;

test('renews at half the lifetime, spread by ±10 % of it', () => {
  assert.equal(renewAt(NB, NA, () => 0.5).getTime(), NB.getTime() + 12 * H);
  assert.equal(renewAt(NB, NA, () => 0).getTime(), NB.getTime() + Math.floor(24 * H * 0.4));
  assert.equal(renewAt(NB, NA, () => 0.999999).getTime() <= NB.getTime() + 24 * H * 0.6, true);
});

test('renews at once when the credential is expired or not yet valid (clock jump)', () => {
  const at = renewAt(NB, NA, () => 0.5);
  assert.equal(shouldRenew(new Date(NB.getTime() + H), { notBefore: NB, notAfter: NA }, at), false);
  assert.equal(shouldRenew(new Date(NB.getTime() + 13 * H), { notBefore: NB, notAfter: NA }, at), true);
  assert.equal(shouldRenew(new Date(NA.getTime()), { notBefore: NB, notAfter: NA }, at), true);
  assert.equal(shouldRenew(new Date(NB.getTime() - 1), { notBefore: NB, notAfter: NA }, at), true);
});
