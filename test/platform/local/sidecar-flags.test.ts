import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { SIDECAR_NODE_FLAGS, withSidecarNodeFlags } from '../../../src/platform/local/sidecar-flags.js';

const FLAGS = ['--max-semi-space-size=2'];

test('puts the flags right after the Node binary, before the loader flags and the script', () => {
  assert.deepEqual(
    withSidecarNodeFlags(['/opt/node/bin/node', '--import', 'tsx', 'src/cli/main.ts', 'proxy'], FLAGS, '/usr/bin/node'),
    ['/opt/node/bin/node', '--max-semi-space-size=2', '--import', 'tsx', 'src/cli/main.ts', 'proxy'],
  );
  assert.deepEqual(withSidecarNodeFlags(['/usr/local/bin/nodejs20', 'm.js'], FLAGS, '/x'), ['/usr/local/bin/nodejs20', '--max-semi-space-size=2', 'm.js']);
  assert.deepEqual(withSidecarNodeFlags(['/some/where/else', 'm.js'], FLAGS, '/some/where/else'), ['/some/where/else', '--max-semi-space-size=2', 'm.js']);
});

test('leaves a command that is not Node alone (MESHGUARD_SIDECAR_COMMAND may name any program)', () => {
  assert.deepEqual(withSidecarNodeFlags(['/usr/bin/env', 'node', 'proxy.js'], FLAGS, '/usr/bin/node'), ['/usr/bin/env', 'node', 'proxy.js']);
  assert.deepEqual(withSidecarNodeFlags(['./node_proxy', 'x'], FLAGS, '/usr/bin/node'), ['./node_proxy', 'x']);
  assert.throws(() => withSidecarNodeFlags([], FLAGS), TypeError);
});

test('the default flags reach node as its own options, and a later value given by the command wins', () => {
  const argv = withSidecarNodeFlags([process.execPath, '--max-old-space-size=200', '-e', 'const v8 = require("node:v8"); console.log(JSON.stringify({ argv: process.execArgv, limit: v8.getHeapStatistics().heap_size_limit }))'],
    [...SIDECAR_NODE_FLAGS, '--max-old-space-size=100']);
  const out = JSON.parse(execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8' })) as { argv: string[]; limit: number };
  for (const f of SIDECAR_NODE_FLAGS) assert.ok(out.argv.includes(f), `${f} is not among node's options: ${out.argv.join(' ')}`);
  // 200 MB old space from the command, not our 100: the heap limit is above 150 MB.
  assert.ok(out.limit > 150 * 2 ** 20, `heap limit ${out.limit}`);
});
