// Child process for the idle-connection memory test: one inbound proxy (STRICT
// mTLS) alone in its process, so /proc/self/status is its memory only. Started
// with --expose-gc. IPC: { start } → { port }; 'mem' → full GC, then VmRSS and
// V8 heap; warn log lines are forwarded as { warn }.
import { readFileSync } from 'node:fs';
import { createInboundProxy } from '../../../src/proxy/inbound/index.js';
import type { ProxyIdentity, ProxySnapshot } from '../../../src/proxy/model.js';

export interface ChildStart { snapshot: ProxySnapshot; identity: ProxyIdentity; appPort: number; maxConnections: number }
export interface ChildMemory { rss: number; heapUsed: number; external: number }

function memory(): ChildMemory {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  const { heapUsed, external } = process.memoryUsage();
  return { rss: Number(m?.[1] ?? 0) * 1024, heapUsed, external };
}

process.once('message', (msg: ChildStart) => {
  const identity = { ...msg.identity, notAfter: new Date(msg.identity.notAfter) };
  const proxy = createInboundProxy({
    snapshot: msg.snapshot,
    identity: { current: () => identity, onChange: () => () => {} },
    ports: [{ port: 0, listenHost: '127.0.0.1', targetHost: '127.0.0.1', targetPort: msg.appPort, protocol: 'http' }],
    maxConnections: msg.maxConnections,
    log: { warn: (fields, message) => process.send?.({ warn: message, fields }), debug: () => {} },
  });
  void proxy.listen().then(({ ports }) => {
    process.on('message', (m: string) => {
      if (m === 'mem') {
        // Let pending closes and frees run first, then collect.
        setTimeout(() => process.send?.({ mem: memory() }), 200);
      }
    });
    process.send?.({ port: ports[0] });
  });
});
