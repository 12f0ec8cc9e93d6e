import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIstioMetrics, fillLabels, REQUEST_LABELS, TCP_LABELS } from '../../../src/proxy/metrics/index.js';

test('every Istio request label is present, unknown where nothing is known', async () => {
  const m = createIstioMetrics();
  m.request(fillLabels({ reporter: 'destination', response_code: '403', connection_security_policy: 'none' }, REQUEST_LABELS), 2);
  const line = (await m.render()).split('\n').find((l) => l.startsWith('istio_requests_total{')) ?? '';
  for (const l of REQUEST_LABELS) assert.ok(line.includes(`${l}="`), `${l} missing in ${line}`);
  assert.match(line, /source_principal="unknown"/);
  assert.match(line, /response_code="403"/);
  assert.match(line, /\} 1$/);
});

test('TCP metrics carry no HTTP labels and count bytes', async () => {
  const m = createIstioMetrics();
  const labels = fillLabels({ reporter: 'destination' }, TCP_LABELS);
  m.tcpOpened(labels);
  m.tcpClosed(labels, 10, 20);
  const text = await m.render();
  assert.match(text, /istio_tcp_connections_opened_total\{[^}]*\} 1/);
  assert.match(text, /istio_tcp_received_bytes_total\{[^}]*\} 10/);
  assert.match(text, /istio_tcp_sent_bytes_total\{[^}]*\} 20/);
  assert.ok(!/istio_tcp_connections_opened_total\{[^}]*response_code=/.test(text));
});

test('two proxies in one process keep separate counters', async () => {
  const a = createIstioMetrics();
  const b = createIstioMetrics();
  a.tcpOpened(fillLabels({}, TCP_LABELS));
  assert.match(await a.render(), /istio_tcp_connections_opened_total\{[^}]*\} 1/);
  assert.ok(!/istio_tcp_connections_opened_total\{/.test(await b.render()));
});
