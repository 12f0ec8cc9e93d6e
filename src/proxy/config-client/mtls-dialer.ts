/**
 * Dials the configuration stream over mutual TLS. The proxy presents its
 * current SVID — the TLS context is read on every dial, so the reconnect after
 * a renewal or a root rotation uses the new certificate and bundle — and
 * accepts only a server whose certificate chains to the bundle and names the
 * control plane's SPIFFE ID (`spiffe://<td>/ns/istio-system/sa/meshguard`),
 * the way Istio's proxies check istiod. Host names are not checked: the SPIFFE
 * ID is the name.
 */
import type { TLSSocket } from 'node:tls';
import { parseLoopbackAddress } from '../../wire/index.js';
import type { TlsContextManager } from '../tls/context-manager.js';
import { TLS_ERROR_CODES, TlsError } from '../tls/errors.js';
import type { VerifiedPeer } from '../tls/peer-identity.js';
import { CONFIG_CLIENT_ERROR_CODES, ConfigClientError } from './errors.js';
import type { StreamDialer } from './transport.js';

/** A handshake that has not finished by then is abandoned; the client retries with backoff. */
export const DIAL_TIMEOUT_MS = 5000;

/** What the dialer needs of the proxy's TLS contexts: `dial`, read on every dial so a renewal's SVID and bundle are used. */
export type StreamTlsSource = Pick<TlsContextManager, 'dial'>;

/**
 * The verdict on a server whose chain verified: only `expectedId` is the control plane.
 *
 * @example tls.dial(target, controlPlaneCheck('spiffe://cluster.local/ns/istio-system/sa/meshguard'), onVerified)
 */
export function controlPlaneCheck(expectedId: string): (peer: VerifiedPeer) => Error | undefined {
  return (peer) => {
    // Fail closed: any other workload of the mesh, however valid its SVID, is not the control plane.
    if (peer.spiffeId !== expectedId) {
      return new ConfigClientError(CONFIG_CLIENT_ERROR_CODES.SERVER_IDENTITY, `the configuration stream's server is ${peer.spiffeId}, not the control plane ${expectedId}`);
    }
    return undefined;
  };
}

/** A certificate that names no one of the mesh is the wrong server; anything else (chain included) leaves the stream unreachable. */
function streamError(err: Error, address: string): ConfigClientError {
  if (err instanceof ConfigClientError) return err;
  if (err instanceof TlsError && err.code === TLS_ERROR_CODES.PEER_IDENTITY_REFUSED) {
    return new ConfigClientError(CONFIG_CLIENT_ERROR_CODES.SERVER_IDENTITY, `the configuration stream's server certificate was refused (${err.reason})`, { cause: err });
  }
  return new ConfigClientError(CONFIG_CLIENT_ERROR_CODES.CONNECT, `the configuration stream at ${address} is unreachable: ${err.message}`, { cause: err });
}

/**
 * @example
 *   const dialer = mtlsDialer('127.0.0.1:15012', { tls: createTlsContextManager(identity), serverId: controlPlaneSpiffeId('cluster.local') });
 */
export function mtlsDialer(address: string, options: { tls: StreamTlsSource; serverId: string; timeoutMs?: number }): StreamDialer {
  // Loopback only, checked before any byte is sent: a tampered state file cannot point the proxy elsewhere.
  const { host, port } = parseLoopbackAddress(address);
  const timeoutMs = options.timeoutMs ?? DIAL_TIMEOUT_MS;
  return {
    target: address,
    dial: () => new Promise<TLSSocket>((resolve, reject) => {
      const socket = options.tls.dial({ host, port }, controlPlaneCheck(options.serverId), (err) => {
        if (err) return fail(err);
        clearTimeout(timer);
        socket.off('error', fail);
        resolve(socket);
      });
      const fail = (err: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(streamError(err, address));
      };
      const timer = setTimeout(() => fail(new Error(`no TLS handshake within ${timeoutMs} ms`)), timeoutMs);
      socket.once('error', fail);
    }),
  };
}
