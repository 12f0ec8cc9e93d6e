/**
 * Port probing on loopback addresses: a free port for a sidecar's admin and
 * outbound listeners (bind to port 0, read it, release it), and waiting for
 * the ports a workload needs while a previous mesh is still letting go of them.
 */
import { createServer } from 'node:net';
import { LocalMeshError, LOCAL_ERROR_CODES } from './errors.js';

/** How long `up` waits for addresses a stopping mesh still holds. */
export const ADDRESS_WAIT_MS = 5000;
const ADDRESS_POLL_MS = 100;

/**
 * A port free on `host` right now (the kernel's choice). Someone may take it
 * before the sidecar binds it; the sidecar then fails and `up` says so.
 *
 * @example const port = await freePort('127.77.1.1');
 */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether `host:port` can be bound now. */
export function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * Waits until every `host:port` can be bound, for at most `timeoutMs`.
 *
 * @example await waitForFreeAddresses([{ host: '127.78.2.1', port: 8080 }]);
 */
export async function waitForFreeAddresses(
  targets: readonly { host: string; port: number; owner: string }[],
  timeoutMs: number = ADDRESS_WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const t of targets) {
    while (!(await canBind(t.host, t.port))) {
      if (Date.now() >= deadline) {
        throw new LocalMeshError(LOCAL_ERROR_CODES.addressInUse, `${t.host}:${t.port} (${t.owner}) is still in use after ${timeoutMs} ms; stop whatever holds it (\`meshguard down\`, or \`ss -ltnp | grep ${t.port}\`)`);
      }
      await new Promise((r) => setTimeout(r, ADDRESS_POLL_MS));
    }
  }
}
