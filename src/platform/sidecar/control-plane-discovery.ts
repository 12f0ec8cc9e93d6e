/**
 * Where the sidecar finds the control plane after it restarts. A restarted control
 * plane listens on new free ports and says so in `<dataDir>/control-plane.json`; the
 * sidecar re-reads that file before each reconnect of the configuration stream and each
 * CA call, so it follows the control plane without being restarted itself. (Fixed ports
 * would work too, but they can collide with anything on the machine, and the state file
 * is already how every other client finds the control plane.)
 */
import type { StreamDialer } from '../../proxy/config-client/index.js';

/** The two addresses a sidecar needs, as `control-plane.json` gives them. */
export interface ControlPlaneAddresses {
  caAddress: string;
  configAddress: string;
}

/** Reads the current addresses; `undefined` while no control plane is running. */
export type DiscoverControlPlane = () => Promise<Partial<ControlPlaneAddresses> | undefined>;

/**
 * A configuration-stream dialer that asks `discover` where to dial each time, falling
 * back to the last address it knew when the state file is missing or unreadable;
 * `dialerAt` makes the dialer for one address (in production `mtlsDialer`, which also
 * re-reads the SVID, so a reconnect after a renewal presents the new certificate).
 *
 * @example
 * const dialer = discoveringDialer(state.configAddress, async () => readStateFile(dataDir), (a) => mtlsDialer(a, { tls, serverId }));
 * new ConfigClient({ dialer, workload, onSnapshot }).start();
 */
export function discoveringDialer(initial: string, discover: DiscoverControlPlane, dialerAt: (address: string) => StreamDialer): StreamDialer {
  let current = initial;
  return {
    get target() {
      return current;
    },
    async dial() {
      const found = await discover().catch(() => undefined);
      if (found?.configAddress) current = found.configAddress;
      // The dialer re-checks the address (loopback only) and authenticates the server as the control plane,
      // so a tampered state file can point the proxy nowhere useful.
      return dialerAt(current).dial();
    },
  };
}
