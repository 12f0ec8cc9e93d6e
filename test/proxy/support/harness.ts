// One inbound proxy in front of an echo app, both on 127.0.0.1 port 0, torn
// down after the test file; plus curl as the client.
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { onFileEnd } from './cleanup.js';
import { createAccessLogger } from '../../../src/proxy/access-log/index.js';
import { createInboundProxy, type InboundProxy, type InboundProxyOptions } from '../../../src/proxy/inbound/index.js';
import type { InboundPort } from '../../../src/proxy/inbound/layer.js';
import type { ProxySnapshot } from '../../../src/proxy/model.js';
import { mintSvid, mutableIdentity, testCa, type TestCa } from './svid.js';

export interface EchoRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** An app that answers 200 with what it received, as JSON. */
export async function startEchoApp(): Promise<{ port: number; seen: EchoRequest[] }> {
  const seen: EchoRequest[] = [];
  const server = http.createServer((req, res) => {
    const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    seen.push(r);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(r)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onFileEnd(() => {
    server.closeAllConnections();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, seen };
}

export interface Harness {
  proxy: InboundProxy;
  port: number;
  admin: number;
  lines: string[];
  ca: TestCa;
  identity: ReturnType<typeof mutableIdentity>;
  app: { port: number; seen: EchoRequest[] };
}

/** Proxy (webapp in istioinaction) → echo app, with a text (or JSON) access log collected in `lines`. */
export async function startHarness(snapshot: ProxySnapshot, opts: Partial<InboundProxyOptions> & { protocol?: InboundPort['protocol']; appPort?: number; format?: 'text' | 'json' } = {}): Promise<Harness> {
  const ca = await testCa();
  const app = opts.appPort ? { port: opts.appPort, seen: [] } : await startEchoApp();
  const identity = mutableIdentity(await mintSvid(ca, snapshot.workload.namespace, snapshot.workload.serviceAccount));
  const lines: string[] = [];
  const proxy = createInboundProxy({
    snapshot,
    identity,
    ports: [{ port: 0, listenHost: '127.0.0.1', targetHost: '127.0.0.1', targetPort: app.port, protocol: opts.protocol ?? 'http' }],
    accessLog: createAccessLogger({ format: opts.format ?? 'text', write: (l) => lines.push(l) }),
    log: { warn: (f, m) => lines.push(`WARN ${m} ${JSON.stringify(f)}`), debug: () => {} },
    admin: { host: '127.0.0.1', port: 0 },
    ...opts,
  });
  const bound = await proxy.listen();
  onFileEnd(() => proxy.close());
  return { proxy, port: bound.ports[0] as number, admin: bound.admin as number, lines, ca, identity, app };
}

export interface CurlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run curl (bounded to 10 s); never rejects — the exit code is the result. */
export function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile('/usr/bin/curl', ['-sS', '--max-time', '10', ...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Wait (bounded) until `pred` holds, e.g. for an access-log line written on close. */
export async function waitFor(pred: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
