/**
 * The control plane's own X.509-SVID, which serves the CA API and the bundle
 * endpoint: `spiffe://<td>/ns/istio-system/sa/meshguard` (Istio's istiod
 * identity) plus DNS `localhost` and the listen host (an IP SAN when it is an
 * address), so clients can check the server by name as well as by SPIFFE ID.
 * Built once per CA change or renewal, off the hot path: the library builds the
 * certificate and the CA key store signs it (the CA key never leaves the store).
 */
import { generateKeyPairSync } from 'node:crypto';
import { isIP } from 'node:net';
import { toPem, workloadId, type CertificateAuthority, type SpiffeId } from '../../identity/index.js';
import { randomSerialHex, signWithStore, throwawaySigningKey, webAlgorithm } from '../../identity/ca/certificate.js';
import { x509 } from '../../identity/x509-provider.js';

/** Istio's control plane identity: namespace istio-system, service account (here) meshguard. */
export const CONTROL_PLANE_NAMESPACE = 'istio-system';
export const CONTROL_PLANE_SERVICE_ACCOUNT = 'meshguard';
/** The server SVID lives a day, like workload SVIDs, and is renewed at half of that. */
export const CONTROL_PLANE_SVID_TTL_MS = 24 * 3600 * 1000;

export interface ServerSvid {
  spiffeId: SpiffeId;
  /** Leaf first, then intermediates (no root). */
  chainPem: string;
  keyPem: string;
  notAfter: Date;
}

/**
 * @example const svid = await mintControlPlaneSvid(ca, { hosts: ['127.0.0.1'], now: new Date() });
 */
export async function mintControlPlaneSvid(ca: CertificateAuthority, options: { hosts: readonly string[]; now: Date; ttlMs?: number }): Promise<ServerSvid> {
  const spiffeId = workloadId(ca.trustDomain, CONTROL_PLANE_NAMESPACE, CONTROL_PLANE_SERVICE_ACCOUNT);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = options.now.getTime();
  const notAfter = new Date(Math.min(now + (options.ttlMs ?? CONTROL_PLANE_SVID_TTL_MS), ca.notAfter.getTime()));
  const names = new Set(['localhost', ...options.hosts.filter((h) => h !== '' && h !== '0.0.0.0' && h !== '::')]);
  const sans: x509.JsonGeneralName[] = [{ type: 'url', value: spiffeId }];
  for (const host of names) sans.push({ type: isIP(host) ? 'ip' : 'dns', value: host });
  const built = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: new x509.Name([]),
    issuer: new x509.Name(ca.subjectName),
    notBefore: new Date(Math.max(now - 60_000, ca.notBefore.getTime())),
    notAfter,
    publicKey: publicKey.export({ format: 'der', type: 'spki' }),
    signingKey: await throwawaySigningKey(ca.keyStore.algorithm),
    signingAlgorithm: webAlgorithm(ca.keyStore.algorithm),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.AuthorityKeyIdentifierExtension(ca.subjectKeyId.toString('hex')),
      // SAN critical because the subject is empty (RFC 5280 §4.2.1.6).
      new x509.SubjectAlternativeNameExtension(sans, true),
    ],
  });
  const leaf = await signWithStore(Buffer.from(built.rawData), ca.keyStore);
  const tail = [...ca.intermediates];
  if (!ca.roots.some((r) => r.equals(ca.certificate))) tail.unshift(ca.certificate);
  return { spiffeId, chainPem: toPem([leaf, ...tail]), keyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, notAfter };
}
