// SVID minting for proxy tests and benchmarks (no node:test dependency, so a
// benchmark process can import it): a CA per trust domain made with the
// project's own CA code, and SVIDs issued through its issuer.
import { webcrypto } from 'node:crypto';
import {
  createRootCa, createSvidIssuer, generateCaPrivateKey, memoryKeyStore, parseTrustDomain, toPem, workloadId,
  type CertificateAuthority, type SvidIssuer,
} from '../../../src/identity/index.js';
import { x509 } from '../../../src/identity/x509-provider.js';
import type { ProxyIdentity } from '../../../src/proxy/model.js';

export interface TestCa {
  ca: CertificateAuthority;
  issuer: SvidIssuer;
  bundlePem: string;
  trustDomain: string;
}

const cas = new Map<string, Promise<TestCa>>();

/** A CA for `trustDomain`, made once per test file. */
export function testCa(trustDomain = 'cluster.local'): Promise<TestCa> {
  let p = cas.get(trustDomain);
  if (!p) {
    p = (async () => {
      const ca = await createRootCa({ trustDomain: parseTrustDomain(trustDomain), keyStore: memoryKeyStore(generateCaPrivateKey()), now: () => new Date() });
      const issuer = await createSvidIssuer({ ca, now: () => new Date() });
      return { ca, issuer, bundlePem: toPem(ca.roots), trustDomain };
    })();
    cas.set(trustDomain, p);
  }
  return p;
}

function pkcs8Pem(der: Buffer): string {
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

/** A fresh P-256 key and an SVID for `ns/sa` from `ca`. */
export async function mintSvid(ca: TestCa, namespace: string, serviceAccount: string, ttlMs?: number): Promise<ProxyIdentity & { serial: string }> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    keys: keys as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0]['keys'],
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  const spiffeId = workloadId(parseTrustDomain(ca.trustDomain), namespace, serviceAccount);
  const svid = await ca.issuer.issue({ csrDer: Buffer.from(csr.rawData), spiffeId, ...(ttlMs ? { ttlMs } : {}) });
  const keyPem = pkcs8Pem(Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)));
  return { spiffeId, certChainPem: svid.chainPem, keyPem, bundlePem: ca.bundlePem, notAfter: svid.notAfter, serial: svid.serial };
}

