/**
 * The configuration stream's transport: TLS with the control plane's own SVID
 * (the one the CA API serves with), client certificates required and verified
 * against the trust bundle — every trusted root, so proxies of the old and the
 * new root both connect during a rotation. A renewal or a rotation swaps the
 * context with `setSecureContext`: new handshakes use it, open streams stay.
 * Who the proxy is comes from its verified certificate, not from its `hello`.
 */
import type { X509Certificate } from 'node:crypto';
import { createServer, type SecureVersion, type TLSSocket } from 'node:tls';
import type { StreamTransport } from './stream.js';
import { loopbackListenAddress } from './wire.js';

/** As the CA API: TLS 1.2 is the floor Istio sets; 1.3 is negotiated whenever both ends have it. */
export const STREAM_MIN_TLS_VERSION: SecureVersion = 'TLSv1.2';
/** A peer that opens TCP and never finishes the handshake is dropped after this. */
export const HANDSHAKE_TIMEOUT_MS = 5000;

/**
 * What the stream serves with: the shape of the CA service's `ServingIdentity`,
 * narrowed to what TLS needs (its `current` material and update notifications).
 */
export interface StreamServingIdentity {
  readonly current: { svid: { chainPem: string; keyPem: string }; rootsPem: string };
  onUpdate(listener: (material: StreamServingIdentity['current']) => void): void;
}

function tlsOptions(m: StreamServingIdentity['current']) {
  return {
    cert: m.svid.chainPem, key: m.svid.keyPem, ca: m.rootsPem,
    // Fail closed: no certificate, or one that does not chain to a trusted root, ends the handshake.
    requestCert: true, rejectUnauthorized: true, minVersion: STREAM_MIN_TLS_VERSION,
  };
}

/**
 * @example
 *   const transport = mtlsStreamTransport({ listen: '127.0.0.1:0', serving: ca.serving });
 *   const listener = await serveConfigStream(transport, distributor, log);
 */
export function mtlsStreamTransport(options: { listen: string; serving: StreamServingIdentity }): StreamTransport {
  const { host, port } = loopbackListenAddress(options.listen);
  return {
    listen: (onConnection) => new Promise((resolve, reject) => {
      let closed = false;
      const server = createServer({ ...tlsOptions(options.serving.current), handshakeTimeout: HANDSHAKE_TIMEOUT_MS }, (socket: TLSSocket) => {
        // `rejectUnauthorized` already refused unverified peers; this is the verified leaf.
        const peer: X509Certificate | undefined = socket.getPeerX509Certificate();
        onConnection(socket, peer);
      });
      options.serving.onUpdate((m) => { if (!closed) server.setSecureContext(tlsOptions(m)); });
      const sockets = new Set<TLSSocket>();
      server.on('secureConnection', (s: TLSSocket) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
      // A failed handshake (no or untrusted certificate) is the peer's problem, not the server's.
      server.on('tlsClientError', () => undefined);
      server.once('error', reject);
      server.listen(port, host, () => {
        const a = server.address() as { address: string; port: number };
        resolve({
          address: `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`,
          close: () => new Promise<void>((done) => {
            closed = true;
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
        });
      });
    }),
  };
}
