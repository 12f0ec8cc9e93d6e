import { x509 } from '../x509-provider.js';
import { trustDomainId, type TrustDomain } from '../spiffe-id.js';
import { describeAuthority, type CertificateAuthority } from './authority.js';
import { randomSerialHex, signWithStore, throwawaySigningKey, webAlgorithm } from './certificate.js';
import type { CaKeyStore } from './key-store.js';

/** Istio's self-signed root lives 10 years; rotation replaces it long before. */
export const DEFAULT_ROOT_TTL_MS = 10 * 365 * 24 * 3600 * 1000;
// Roots are backdated a little so peers with a slow clock accept them at once.
const ROOT_BACKDATE_MS = 5 * 60 * 1000;

/**
 * Creates a self-signed root for a trust domain with a key from `keyStore` (its key
 * never leaves the store: the library builds the certificate, the store signs it).
 * Subject `O=<trust domain>` as Istio's self-signed CA; URI SAN `spiffe://<trust domain>`.
 * @example const ca = await createRootCa({ trustDomain, keyStore: memoryKeyStore(generateCaPrivateKey()), now: () => new Date() });
 */
export async function createRootCa(options: {
  trustDomain: TrustDomain;
  keyStore: CaKeyStore;
  now: () => Date;
  ttlMs?: number;
}): Promise<CertificateAuthority> {
  const { trustDomain, keyStore } = options;
  const now = options.now().getTime();
  const spki = keyStore.publicKey.export({ format: 'der', type: 'spki' });
  const name = `O=${trustDomain}`;
  const built = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: name,
    issuer: name,
    notBefore: new Date(now - ROOT_BACKDATE_MS),
    notAfter: new Date(now + (options.ttlMs ?? DEFAULT_ROOT_TTL_MS)),
    publicKey: spki,
    signingKey: await throwawaySigningKey(keyStore.algorithm),
    signingAlgorithm: webAlgorithm(keyStore.algorithm),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(spki),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: trustDomainId(trustDomain) }]),
    ],
  });
  const certificate = await signWithStore(Buffer.from(built.rawData), keyStore);
  return describeAuthority({ trustDomain, keyStore, certificate, intermediates: [], roots: [certificate] });
}
