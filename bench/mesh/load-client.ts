// Child process: the load generator, alone in its process so its CPU is never
// charged to a proxy. Keep-alive connections; either paced to `rate` req/s in
// total or closed-loop (rate 0, as fast as answers come). `path` may be an
// absolute URI (a request to an HTTP proxy). Bounded by `seconds` and by a
// request cap. Reports count, non-200s, p50/p99 and sockets opened.
import http from 'node:http';
import type { Socket } from 'node:net';

export interface LoadJob {
  port: number;
  host: string;
  path: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  /** Requests per second in total; 0 = closed loop. */
  rate: number;
}

export interface LoadResult {
  requests: number;
  bad: number;
  seconds: number;
  p50: number;
  p99: number;
  sockets: number;
}

/** No run records more latencies than this (memory bound for a closed loop on a fast machine). */
const MAX_SAMPLES = 2_000_000;

function one(agent: http.Agent, job: LoadJob, sockets: Set<Socket>): Promise<{ ms: number; ok: boolean }> {
  return new Promise((resolve) => {
    const t = performance.now();
    const req = http.request({ host: job.host, port: job.port, path: job.path, headers: job.headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: performance.now() - t, ok: res.statusCode === 200 }));
    });
    req.on('socket', (s: Socket) => sockets.add(s));
    req.on('error', () => resolve({ ms: performance.now() - t, ok: false }));
    req.end();
  });
}

async function run(job: LoadJob): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const sockets = new Set<Socket>();
  const lat = new Float64Array(MAX_SAMPLES);
  let n = 0;
  let bad = 0;
  const started = performance.now();
  const end = started + job.seconds * 1000;
  const gapMs = job.rate > 0 ? (1000 * job.connections) / job.rate : 0;
  const worker = async (w: number) => {
    let next = started + (w * gapMs) / job.connections;
    while (performance.now() < end && n < MAX_SAMPLES) {
      if (gapMs) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        next += gapMs;
      }
      const r = await one(agent, job, sockets);
      lat[n++] = r.ms;
      if (!r.ok) bad++;
    }
  };
  await Promise.all(Array.from({ length: job.connections }, (_, w) => worker(w)));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const sorted = lat.subarray(0, n).sort();
  const pct = (p: number) => sorted[Math.min(n - 1, Math.floor(p * n))] ?? 0;
  return { requests: n, bad, seconds, p50: pct(0.5), p99: pct(0.99), sockets: sockets.size };
}

process.once('message', (job: LoadJob) => {
  void run(job).then((r) => {
    process.send?.(r);
    process.exit(0);
  });
});
