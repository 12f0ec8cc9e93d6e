// Certificates for the mesh benchmark: one test CA (the project's CA code, with
// a key we hold so OpenSSL can sign too), SVIDs for both meshguard hops, and
// for nginx the same client SVID plus a server leaf from the same CA that adds
// a DNS SAN — nginx's `proxy_ssl_verify` checks a host name, not a SPIFFE URI.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRootCa, createSvidIssuer, generateCaPrivateKey, memoryKeyStore, parseTrustDomain, toPem } from '../../src/identity/index.js';
import type { ProxyIdentity } from '../../src/proxy/model.js';
import { mintSvid, type TestCa } from '../../test/proxy/support/mint.js';

/** The name the client-side nginx verifies on the server-side one. */
export const NGINX_UPSTREAM_NAME = 'webapp.istioinaction.svc.cluster.local';

export interface MeshPki {
  /** The calling workload (default/sleep): outbound hop, nginx client side. */
  client: ProxyIdentity;
  /** The called workload (istioinaction/webapp): inbound hop. */
  server: ProxyIdentity;
  /** PEM files for nginx in `dir`. */
  files: { ca: string; clientCert: string; clientKey: string; serverCert: string; serverKey: string };
}

/**
 * @example
 * const pki = await makeMeshPki(mkdtempSync('/tmp/mesh-'));
 * pki.files.serverCert // '/tmp/mesh-…/server.pem' (DNS SAN webapp.istioinaction.svc.cluster.local)
 */
export async function makeMeshPki(dir: string): Promise<MeshPki> {
  const key = generateCaPrivateKey();
  const ca = await createRootCa({ trustDomain: parseTrustDomain('cluster.local'), keyStore: memoryKeyStore(key), now: () => new Date() });
  const issuer = await createSvidIssuer({ ca, now: () => new Date() });
  const testCa: TestCa = { ca, issuer, bundlePem: toPem(ca.roots), trustDomain: 'cluster.local' };
  const client = await mintSvid(testCa, 'default', 'sleep');
  const server = await mintSvid(testCa, 'istioinaction', 'webapp');
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };
  const files = {
    ca: file('ca.pem', testCa.bundlePem),
    clientCert: file('client.pem', client.certChainPem),
    clientKey: file('client-key.pem', client.keyPem),
    serverKey: file('server-key.pem', server.keyPem),
    serverCert: join(dir, 'server.pem'),
  };
  file('ca-key.pem', key.export({ type: 'pkcs8', format: 'pem' }) as string);
  file('ext.cnf', `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:${NGINX_UPSTREAM_NAME},URI:${server.spiffeId}\n`);
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', timeout: 20_000 });
  openssl(['req', '-new', '-key', 'server-key.pem', '-subj', '/O=meshguard-bench', '-out', 'server.csr']);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '1', '-extfile', 'ext.cnf', '-out', 'server.pem']);
  return { client, server, files };
}
