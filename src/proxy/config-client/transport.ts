/**
 * How the proxy reaches the configuration stream: one narrow interface so the
 * dev transport (plain TCP on loopback, no authentication) can be replaced by
 * TLS with the proxy's SVID without touching the client.
 */
import { connect, type Socket } from 'node:net';

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

/** `127.0.0.1:15010` or `[::1]:15010` → host and port; throws `TypeError` for a non-loopback host. */
export function parseLoopbackAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!host || !Number.isInteger(port) || port > 65535) throw new TypeError(`"${address}" is not host:port`);
  if (!(host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host))) {
    throw new TypeError(`the dev configuration stream is plaintext and only listens/dials on loopback, not ${host}`);
  }
  return { host, port };
}
