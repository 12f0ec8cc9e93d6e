import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry, type Metric } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from '../../../src/proxy/metrics/label-series.js';

async function render(...metrics: object[]): Promise<string> {
  const registry = new Registry();
  for (const m of metrics) registry.registerMetric(m as Metric);
  return registry.metrics();
}

test('two label objects with the same content count into one series', async () => {
  const c = new SeriesCounter('x_total', 'x');
  c.inc({ code: '200', flags: '-' });
  c.inc({ code: '200', flags: '-' }, 2);
  const same = { code: '200', flags: '-' };
  c.inc(same);
  c.inc(same);
  c.inc({ code: '503', flags: 'UF' });
  const text = await render(c);
  assert.match(text, /^x_total\{code="200",flags="-"\} 5$/m);
  assert.match(text, /^x_total\{code="503",flags="UF"\} 1$/m);
});

test('label values that only differ in where a separator falls stay apart', async () => {
  const c = new SeriesCounter('y_total', 'y');
  c.inc({ a: 'x\u0000b', b: 'y' });
  c.inc({ a: 'x', b: 'b\u0000y' });
  c.inc({ a: 'x","b', b: 'y' });
  c.inc({ a: 'x', b: '","b"],["b","y' });
  assert.equal((await render(c)).split('\n').filter((l) => l.startsWith('y_total{')).length, 4);
});

test('a histogram reports cumulative buckets, sum and count per label set', async () => {
  const h = new SeriesHistogram('d_ms', 'd', [1, 5, 10]);
  const l = { code: '200' };
  for (const v of [0.5, 1, 3, 7, 20]) h.observe(l, v);
  const text = await render(h);
  assert.match(text, /^d_ms_bucket\{code="200",le="1"\} 2$/m);
  assert.match(text, /^d_ms_bucket\{code="200",le="5"\} 3$/m);
  assert.match(text, /^d_ms_bucket\{code="200",le="10"\} 4$/m);
  assert.match(text, /^d_ms_bucket\{code="200",le="\+Inf"\} 5$/m);
  assert.match(text, /^d_ms_sum\{code="200"\} 31.5$/m);
  assert.match(text, /^d_ms_count\{code="200"\} 5$/m);
  assert.match(text, /^# TYPE d_ms histogram$/m);
});

test('a label object changed after first use is not how series are keyed: content is copied', async () => {
  const c = new SeriesCounter('z_total', 'z');
  const l = { code: '200' };
  c.inc(l);
  l.code = '500';
  assert.match(await render(c), /^z_total\{code="200"\} 1$/m);
});

test('reset forgets every series', async () => {
  const c = new SeriesCounter('r_total', 'r');
  const l = { code: '200' };
  c.inc(l);
  c.reset();
  c.inc(l);
  assert.match(await render(c), /^r_total\{code="200"\} 1$/m);
});
