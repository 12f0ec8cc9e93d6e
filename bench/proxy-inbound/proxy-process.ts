// Child process: one inbound proxy in front of the app the driver runs, so its
// CPU time is measured apart from the app's and the load generator's.
// IPC: the driver sends the start message, then 'cpu' (→ process.cpuUsage()) and 'stop'.
import { createInboundProxy } from '../../src/proxy/inbound/index.js';
import type { ProxyIdentity, ProxySnapshot } from '../../src/proxy/model.js';

interface Start { snapshot: ProxySnapshot; identity: ProxyIdentity; appPort: number }

process.once('message', (msg: Start) => {
  const identity = { ...msg.identity, notAfter: new Date(msg.identity.notAfter) };
  const proxy = createInboundProxy({
    snapshot: msg.snapshot,
    identity: { current: () => identity, onChange: () => () => {} },
    ports: [{ port: 0, listenHost: '127.0.0.1', targetHost: '127.0.0.1', targetPort: msg.appPort, protocol: 'http' }],
    log: { warn: () => {}, debug: () => {} },
  });
  void proxy.listen().then(({ ports }) => {
    process.on('message', (m: string) => {
      if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
      if (m === 'stop') void proxy.close().then(() => process.exit(0));
    });
    process.send?.({ port: ports[0] });
  });
});
