// A small PKI for chain tests, built by @peculiar/x509 with one rule bent at a time:
// roots, intermediates and SPIFFE leaves (`spiffe://cluster.local/ns/default/sa/<subject>`).
import { X509Certificate, webcrypto } from 'node:crypto';
import { x509 } from '../../src/identity/x509-provider.js';
import { NOW } from './support.js';

export const HOUR = 3600e3;
export const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export interface Issued {
  cert: X509Certificate;
  keys: webcrypto.CryptoKeyPair;
  name: string;
  pem: string;
}

export interface CertOptions {
  subject: string;
  issuer?: Issued;
  ca?: boolean;
  pathLen?: number;
  usages?: number;
  eku?: string[] | null;
  /** Default: an hour either side of `now`. */
  notBefore?: Date;
  notAfter?: Date;
  now?: Date;
  /** false: no subject/authority key identifiers (issuers are then matched by name only). */
  keyIds?: boolean;
  extra?: x509.Extension[];
  keyAlgorithm?: webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams;
  signingHash?: string;
}

export async function issue(o: CertOptions): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(o.keyAlgorithm ?? EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const ca = o.ca ?? false;
  const signer = o.issuer?.keys ?? keys;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(ca, o.pathLen, true),
    new x509.KeyUsagesExtension(o.usages ?? (ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature), true),
  ];
  if (o.keyIds !== false) extensions.push(await x509.SubjectKeyIdentifierExtension.create(keys.publicKey));
  if (o.issuer && o.keyIds !== false) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(o.issuer.keys.publicKey));
  if (!ca && o.eku !== null) extensions.push(new x509.ExtendedKeyUsageExtension(o.eku ?? [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]));
  if (!ca) extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `spiffe://cluster.local/ns/default/sa/${o.subject}` }], true));
  extensions.push(...(o.extra ?? []));
  const signingAlgorithm = signer.privateKey.algorithm.name === 'ECDSA' ? { name: 'ECDSA', hash: o.signingHash ?? 'SHA-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: o.signingHash ?? 'SHA-256' };
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: webcrypto.getRandomValues(Buffer.alloc(10)).toString('hex').replace(/^[89a-f]/, '1'),
    subject: `O=${o.subject}`,
    issuer: o.issuer?.name ?? `O=${o.subject}`,
    notBefore: o.notBefore ?? new Date((o.now ?? NOW).getTime() - HOUR),
    notAfter: o.notAfter ?? new Date((o.now ?? NOW).getTime() + HOUR),
    publicKey: keys.publicKey,
    signingKey: signer.privateKey,
    signingAlgorithm,
    extensions,
  });
  return { cert: new X509Certificate(Buffer.from(cert.rawData)), keys, name: `O=${o.subject}`, pem: `${cert.toString('pem').trimEnd()}\n` };
}

/** The private key as PKCS#8 PEM (for a TLS server or client). */
export async function keyPem(i: Issued): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', i.keys.privateKey));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}
