/**
 * BENCH_TRACE=1 for issue-over-grpc.bench.ts: joins the client's send/receive times with
 * the server's per-call stamps (src/control/ca-service/call-trace.ts) by the issued
 * serial, and prints p50/p99/max of each segment of a Renew. All times are
 * `performance.timeOrigin + performance.now()` (ms), one clock for both processes.
 */
import diagnostics from 'node:diagnostics_channel';
import { CA_CALL_TRACE_CHANNEL, type CaCallTrace } from '../../src/control/ca-service/call-trace.js';

export interface ClientStamp { serial: string; send: number; recv: number }

/** In the server: collects Renew traces while `collecting` is on. */
export function serverTraceCollector(): { start(): void; stop(): CaCallTrace[] } {
  let traces: CaCallTrace[] | undefined;
  diagnostics.subscribe(CA_CALL_TRACE_CHANNEL, (m) => {
    const t = m as CaCallTrace;
    if (traces && t.method === 'Renew' && t.ok) traces.push({ ...t });
  });
  return {
    start() { traces = []; },
    stop() { const out = traces ?? []; traces = undefined; return out; },
  };
}

const SEGMENTS: [string, (c: ClientStamp, s: CaCallTrace) => number | undefined][] = [
  ['client send → server handler entry', (c, s) => s.entry - c.send],
  ['handler entry → worker post (request, peer, renewal check, CSR parse, TBS)', (c, s) => s.workerPost !== undefined ? s.workerPost - s.entry : undefined],
  ['worker post → worker done (queue, CSR verify + sign, 2 thread hops)', (c, s) => s.workerPost !== undefined && s.workerDone !== undefined ? s.workerDone - s.workerPost : undefined],
  ['worker done → response handed to gRPC (validate, PEM, record batch)', (c, s) => s.workerDone !== undefined && s.sent !== undefined ? s.sent - s.workerDone : undefined],
  ['response handed to gRPC → client receive', (c, s) => s.sent !== undefined ? c.recv - s.sent : undefined],
  ['total (client send → receive)', (c) => c.recv - c.send],
];

/** A Markdown table of each segment's p50/p99/max over the calls both sides saw, slowest 1% shown apart. */
export function traceTable(client: ClientStamp[], server: CaCallTrace[]): string {
  const bySerial = new Map(server.map((s) => [s.serial, s]));
  const joined = client.flatMap((c) => { const s = bySerial.get(c.serial); return s ? [{ c, s }] : []; });
  const total = joined.map(({ c }) => c.recv - c.send).sort((a, b) => a - b);
  const cut = total[Math.floor(total.length * 0.99)] ?? Infinity;
  const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
  const rows = SEGMENTS.map(([name, f]) => {
    const all = joined.map(({ c, s }) => f(c, s)).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
    const slow = joined.filter(({ c }) => c.recv - c.send >= cut).map(({ c, s }) => f(c, s)).filter((x): x is number => x !== undefined);
    const mean = slow.length ? slow.reduce((a, b) => a + b, 0) / slow.length : NaN;
    return `| ${name} | ${q(all, 0.5).toFixed(2)} | ${q(all, 0.99).toFixed(2)} | ${(all.at(-1) ?? NaN).toFixed(2)} | ${mean.toFixed(2)} |`;
  });
  return [`per-call trace (${joined.length} of ${client.length} calls joined; ms)`, '',
    '| segment | p50 | p99 | max | mean in the slowest 1% |', '|---|---|---|---|---|', ...rows].join('\n');
}
