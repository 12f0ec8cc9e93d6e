/**
 * How the proxy reaches the configuration stream: one narrow interface, so the
 * client does not know the transport. The production one is `mtlsDialer`: TLS
 * with the proxy's SVID, the server checked to be the control plane.
 */
import type { Socket } from 'node:net';
import { parseLoopbackAddress } from '../../wire/index.js';

// Re-exported: callers of the proxy's transport found it here before `wire/` existed.
export { parseLoopbackAddress };

/** Opens a duplex byte stream to the control plane's configuration stream. */
export interface StreamDialer {
  /** Resolves once connected (and, for TLS, once the server is authenticated); rejects on failure. */
  dial(): Promise<Socket>;
  /** For logs and status: where it dials. */
  readonly target: string;
}
