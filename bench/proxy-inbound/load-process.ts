// Child process: the client. Keep-alive agent (HTTPS with a client SVID when
// given), `connections` sockets, either as fast as possible or at a fixed rate,
// for `seconds`. Reports requests, non-200s, latency percentiles and how many
// TLS sockets (handshakes) it opened.
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

interface Job {
  port: number;
  tls?: { key: string; cert: string; ca: string };
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  /** Requests per second in total; 0 = closed loop, as fast as the server answers. */
  rate: number;
}

function one(agent: http.Agent, job: Job, sockets: Set<Socket>): Promise<{ ms: number; status: number }> {
  return new Promise((resolve) => {
    const t = performance.now();
    const opts = { host: '127.0.0.1', port: job.port, path: '/api/catalog/items', agent, headers: job.headers };
    const done = (status: number) => resolve({ ms: performance.now() - t, status });
    const req = job.tls
      ? https.request({ ...opts, ...job.tls, checkServerIdentity: () => undefined }, (res) => (res.resume(), res.on('end', () => done(res.statusCode ?? 0))))
      : http.request(opts, (res) => (res.resume(), res.on('end', () => done(res.statusCode ?? 0))));
    req.on('socket', (s: Socket) => sockets.add(s));
    req.on('error', () => done(0));
    req.end();
  });
}

process.once('message', async (job: Job) => {
  const agent = job.tls
    ? new https.Agent({ keepAlive: true, maxSockets: job.connections, ...job.tls })
    : new http.Agent({ keepAlive: true, maxSockets: job.connections });
  const sockets = new Set<Socket>();
  const lat: number[] = [];
  let bad = 0;
  const end = performance.now() + job.seconds * 1000;
  const perWorkerGapMs = job.rate > 0 ? (1000 * job.connections) / job.rate : 0;
  const worker = async () => {
    let next = performance.now();
    while (performance.now() < end) {
      const r = await one(agent, job, sockets);
      lat.push(r.ms);
      if (r.status !== 200) bad++;
      if (perWorkerGapMs) {
        next += perWorkerGapMs;
        const wait = next - performance.now();
        if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: job.connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0;
  agent.destroy();
  process.send?.({ requests: lat.length, bad, seconds: elapsed, p50: pct(0.5), p99: pct(0.99), sockets: sockets.size });
  process.exit(0);
});
