/**
 * Dials the configuration stream over mutual TLS. The proxy presents its
 * current SVID — the TLS context is read on every dial, so the reconnect after
 * a renewal or a root rotation uses the new certificate and bundle — and
 * accepts only a server whose certificate chains to the bundle and names the
 * control plane's SPIFFE ID (`spiffe://<td>/ns/istio-system/sa/meshguard`),
 * the way Istio's proxies check istiod. Host names are not checked: the SPIFFE
 * ID is the name.
 */
import { connect, type ConnectionOptions, type PeerCertificate, type TLSSocket } from 'node:tls';
import { parseLoopbackAddress } from '../../wire/index.js';
import { serverIdentityOf } from '../tls/peer-identity.js';
import { CONFIG_CLIENT_ERROR_CODES, ConfigClientError } from './errors.js';
import type { StreamDialer } from './transport.js';

/** A handshake that has not finished by then is abandoned; the client retries with backoff. */
export const DIAL_TIMEOUT_MS = 5000;

/** What the dialer needs of the proxy's TLS contexts (`TlsContextManager` has it). */
export interface StreamTlsSource {
  /** Our SVID, key and bundle as `tls.connect` options, current at the time of the call. */
  clientOptions(): ConnectionOptions;
  /** Trust domains a peer may belong to. */
  trustDomains(): ReadonlySet<string>;
}

/**
 * A `checkServerIdentity` that accepts only `expectedId`, after OpenSSL verified the chain.
 *
 * @example connect({ ...opts, checkServerIdentity: controlPlaneCheck('spiffe://cluster.local/ns/istio-system/sa/meshguard', tls.trustDomains) })
 */
export function controlPlaneCheck(expectedId: string, trustDomains: () => ReadonlySet<string>): (host: string, cert: PeerCertificate) => Error | undefined {
  return (_host, cert) => {
    const id = serverIdentityOf(cert, trustDomains());
    if (!id.ok) return new ConfigClientError(CONFIG_CLIENT_ERROR_CODES.SERVER_IDENTITY, `the configuration stream's server certificate was refused (${id.reason})`);
    // Fail closed: any other workload of the mesh, however valid its SVID, is not the control plane.
    if (id.spiffeId !== expectedId) {
      return new ConfigClientError(CONFIG_CLIENT_ERROR_CODES.SERVER_IDENTITY, `the configuration stream's server is ${id.spiffeId}, not the control plane ${expectedId}`);
    }
    return undefined;
  };
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
      const socket = connect({
        ...options.tls.clientOptions(), host, port,
        rejectUnauthorized: true,
        checkServerIdentity: controlPlaneCheck(options.serverId, () => options.tls.trustDomains()),
      });
      const fail = (err: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err instanceof ConfigClientError ? err : new ConfigClientError(CONFIG_CLIENT_ERROR_CODES.CONNECT, `the configuration stream at ${address} is unreachable: ${err.message}`, { cause: err }));
      };
      const timer = setTimeout(() => fail(new Error(`no TLS handshake within ${timeoutMs} ms`)), timeoutMs);
      socket.once('error', fail);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        resolve(socket);
      });
    }),
  };
}
