/**
 * How the proxy reaches the configuration stream: one narrow interface so the
 * dev transport (plain TCP on loopback, no authentication) can be replaced by
 * TLS with the proxy's SVID without touching the client.
 */
import { connect, type Socket } from 'node:net';
import { parseLoopbackAddress } from '../../wire/index.js';

// Re-exported: callers of the proxy's transport found it here before `wire/` existed.
export { parseLoopbackAddress };

/** Opens a duplex byte stream to the control plane's configuration stream. */
export interface StreamDialer {
  /** Resolves once connected; rejects on failure. */
  dial(): Promise<Socket>;
  /** For logs and status: where it dials. */
  readonly target: string;
}

/**
 * DEV MODE ONLY: plain TCP, no encryption, no authentication — the control plane
 * believes the proxy's `hello`. Refuses anything but a loopback address so that
 * it cannot be pointed across a network by mistake.
 *
 * @example const dialer = devTcpDialer('127.0.0.1:15010');
 */
export function devTcpDialer(address: string): StreamDialer {
  const { host, port } = parseLoopbackAddress(address);
  return {
    target: address,
    dial: () => new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.once('connect', () => { socket.off('error', reject); resolve(socket); });
      socket.once('error', reject);
    }),
  };
}
