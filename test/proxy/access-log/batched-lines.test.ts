import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchedLines, MAX_BATCH_CHARS } from '../../../src/proxy/access-log/access-logger.js';

function manualTurns() {
  const pending: (() => void)[] = [];
  return { schedule: (fn: () => void) => void pending.push(fn), turn: () => pending.splice(0).forEach((fn) => fn()), count: () => pending.length };
}

test('lines written in one turn go out in one write, each ending in a newline', () => {
  const writes: string[] = [];
  const loop = manualTurns();
  const sink = batchedLines((c) => writes.push(c), loop.schedule);
  sink.write('a');
  sink.write('b');
  sink.write('c');
  assert.deepEqual(writes, []);
  assert.equal(loop.count(), 1, 'one flush is scheduled, not one per line');
  loop.turn();
  assert.deepEqual(writes, ['a\nb\nc\n']);
  sink.write('d');
  loop.turn();
  assert.deepEqual(writes, ['a\nb\nc\n', 'd\n']);
});

test('a batch that grows past the limit is written at once, before the turn ends', () => {
  const writes: string[] = [];
  const loop = manualTurns();
  const sink = batchedLines((c) => writes.push(c), loop.schedule);
  const line = 'x'.repeat(1000);
  for (let i = 0; i * 1001 < MAX_BATCH_CHARS; i++) sink.write(line);
  assert.equal(writes.length, 1);
  assert.ok((writes[0] ?? '').length >= MAX_BATCH_CHARS);
  loop.turn();
  assert.equal(writes.length, 1, 'nothing left, nothing written');
});

test('flush writes what is pending now and nothing when empty', () => {
  const writes: string[] = [];
  const sink = batchedLines((c) => writes.push(c), () => {});
  sink.flush();
  assert.deepEqual(writes, []);
  sink.write('last');
  sink.flush();
  assert.deepEqual(writes, ['last\n']);
});

test('with the default scheduler the lines arrive on the next turn', async () => {
  const writes: string[] = [];
  const sink = batchedLines((c) => writes.push(c));
  sink.write('one');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(writes, ['one\n']);
});
