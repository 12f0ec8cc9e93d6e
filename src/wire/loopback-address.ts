/** The configuration stream's address check, shared by the control plane (listen) and the proxy (dial). */

/**
 * `127.0.0.1:15010` or `[::1]:15010` → host and port. Throws `TypeError` for a
 * non-loopback host: the stream runs over mTLS now, but meshguard's control plane
 * and sidecars share one machine (`meshguard up`), so anything else is a mistake
 * or a tampered state file; lift this when a multi-host transport lands.
 *
 * @example parseLoopbackAddress('[::1]:15010') // { host: '::1', port: 15010 }
 */
export function parseLoopbackAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!host || !Number.isInteger(port) || port > 65535) throw new TypeError(`"${address}" is not host:port`);
  if (!(host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host))) {
    throw new TypeError(`the configuration stream only listens/dials on loopback, not ${host}`);
  }
  return { host, port };
}
