import { createHash, createPublicKey } from 'node:crypto';
import { IdentityError, IdentityErrorCode } from '../errors.js';
import type { TrustDomain } from '../spiffe-id.js';
import { x509 } from '../x509-provider.js';
import { TAG, children, expectTlv, readBitStringBytes } from './der.js';
import { parseX509, type DerCertificate } from './certificate.js';
import type { CaKeyStore } from './key-store.js';

/**
 * A CA ready to sign leaves: its key store, the certificate that signs, the chain above
 * it and the roots. Built by `createRootCa` (self-signed) or `describeAuthority` (plugged in).
 */
export interface CertificateAuthority {
  readonly trustDomain: TrustDomain;
  readonly keyStore: CaKeyStore;
  /** The certificate whose key signs leaves (a root, or an intermediate when plugged in). */
  readonly certificate: DerCertificate;
  /** Certificates between `certificate` and a root, nearest first; no roots. */
  readonly intermediates: readonly DerCertificate[];
  /** Trust anchors of the trust domain (what goes in the bundle). */
  readonly roots: readonly DerCertificate[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The signing certificate's subject Name, DER: byte-exact issuer of every leaf. */
  readonly subjectName: Buffer;
  /** Key identifier of the signing key: the leaves' authorityKeyIdentifier. */
  readonly subjectKeyId: Buffer;
}

function invalid(reason: string, message: string): IdentityError {
  return new IdentityError(IdentityErrorCode.CA_FILES_INVALID, message, { reason });
}

/**
 * Checks a CA certificate against its key store and describes it for signing: it must be a
 * CA (basicConstraints CA:true, keyCertSign) and its public key must be the store's.
 * @example const ca = describeAuthority({ trustDomain, keyStore, certificate, intermediates: [], roots: [certificate] });
 */
export function describeAuthority(input: {
  trustDomain: TrustDomain;
  keyStore: CaKeyStore;
  certificate: DerCertificate;
  intermediates: readonly DerCertificate[];
  roots: readonly DerCertificate[];
}): CertificateAuthority {
  const cert = parseX509(input.certificate);
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  if (!bc?.ca) throw invalid('not-a-ca', `CA certificate "${cert.subject}" lacks basicConstraints CA:true`);
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  if (ku && (ku.usages & x509.KeyUsageFlags.keyCertSign) === 0) throw invalid('no-key-cert-sign', `CA certificate "${cert.subject}" may not sign certificates (keyUsage)`);
  const certKey = createPublicKey({ key: Buffer.from(cert.publicKey.rawData), format: 'der', type: 'spki' });
  if (!certKey.equals(input.keyStore.publicKey)) throw invalid('key-mismatch', `CA key does not match the CA certificate "${cert.subject}"`);
  if (input.roots.length === 0) throw invalid('no-roots', 'a CA needs at least one root certificate');
  const { subjectName, spkiBits } = subjectAndKeyOf(input.certificate);
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  // RFC 5280 §4.2.1.2 method 1 when the CA certificate carries no SKI of its own.
  const subjectKeyId = ski ? Buffer.from(ski.keyId, 'hex') : createHash('sha1').update(spkiBits).digest();
  return Object.freeze({
    ...input,
    intermediates: Object.freeze([...input.intermediates]),
    roots: Object.freeze([...input.roots]),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    subjectName,
    subjectKeyId,
  });
}

/** The raw subject Name and public-key bits of a certificate (TBS fields 6 and 7). */
export function subjectAndKeyOf(der: Uint8Array): { subjectName: Buffer; spkiBits: Buffer } {
  const outer = expectTlv(der, 0, der.length, TAG.SEQUENCE);
  const tbs = children(der, outer)[0]!;
  const fields = children(der, tbs);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[4 + offset]!;
  const spki = fields[5 + offset]!;
  const bits = children(der, spki)[1]!;
  return { subjectName: Buffer.from(der.subarray(subject.offset, subject.end)), spkiBits: Buffer.from(readBitStringBytes(der, bits)) };
}
