/**
 * The SPIFFE bundle endpoint (SPIFFE Federation §5, `https_spiffe` profile):
 * `GET /bundle` answers the trust domain's bundle document over HTTPS served
 * with the control plane's own SVID. Federated peers fetch it every
 * `spiffe_refresh_hint` seconds; during a root rotation it carries both roots.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SpiffeBundleDocument } from '../../identity/index.js';

export const BUNDLE_PATH = '/bundle';

export interface BundleEndpoint {
  /** `https://host:port/bundle`. */
  url: string;
  /** Replaces the serving certificate (renewal, rotation) for new connections. */
  setIdentity(identity: { chainPem: string; keyPem: string }): void;
  close(): Promise<void>;
}

/**
 * @example
 *   const ep = await serveBundleEndpoint({ listen: '127.0.0.1:0', identity: svid, bundle: () => ca.bundleDocument() });
 *   // curl --cacert ca/root-cert.pem ${ep.url}
 */
export async function serveBundleEndpoint(options: {
  listen: string;
  identity: { chainPem: string; keyPem: string };
  bundle: () => SpiffeBundleDocument;
}): Promise<BundleEndpoint> {
  const server: Server = createServer({ cert: options.identity.chainPem, key: options.identity.keyPem, minVersion: 'TLSv1.2' }, (req, res) => {
    const path = new URL(req.url ?? '/', 'https://bundle').pathname;
    if (req.method !== 'GET' || path !== BUNDLE_PATH) {
      res.writeHead(req.method === 'GET' ? 404 : 405, { 'content-type': 'text/plain' }).end(`only GET ${BUNDLE_PATH} is served here\n`);
      return;
    }
    const body = JSON.stringify(options.bundle());
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' }).end(body);
  });
  const sep = options.listen.lastIndexOf(':');
  const host = options.listen.slice(0, sep).replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(options.listen.slice(sep + 1)), host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `https://${shownHost}:${port}${BUNDLE_PATH}`,
    setIdentity: (id) => server.setSecureContext({ cert: id.chainPem, key: id.keyPem, minVersion: 'TLSv1.2' }),
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
