import { randomBytes, webcrypto } from 'node:crypto';
import { x509 } from '../x509-provider.js';
import { TAG, expectTlv, children, tlv } from './der.js';
import { hashFor, type CaKeyAlgorithm, type CaKeyStore } from './key-store.js';
import type { DerCertificate } from '../pem.js';

// Moved to ../pem.ts (no @peculiar/x509 there, so the sidecar can use them); re-exported for the CA's callers.
export { asDerCertificate, certificatesFromPem, toPem, type DerCertificate } from '../pem.js';

/** The TBSCertificate and signature AlgorithmIdentifier of a certificate, as DER slices. */
export function splitCertificate(der: Uint8Array): { tbs: Buffer; signatureAlgorithm: Buffer } {
  const outer = expectTlv(der, 0, der.length, TAG.SEQUENCE);
  const [tbs, alg] = children(der, outer);
  if (!tbs || !alg) throw new TypeError('not a certificate');
  return { tbs: Buffer.from(der.subarray(tbs.offset, tbs.end)), signatureAlgorithm: Buffer.from(der.subarray(alg.offset, alg.end)) };
}

/** Certificate ::= SEQUENCE { tbs, algorithm, BIT STRING signature }. */
export function assembleCertificate(tbs: Uint8Array, signatureAlgorithm: Uint8Array, signature: Uint8Array): DerCertificate {
  return tlv(TAG.SEQUENCE, tbs, signatureAlgorithm, tlv(TAG.BIT_STRING, Buffer.from([0]), signature)) as DerCertificate;
}

/** WebCrypto parameters @peculiar/x509 uses to produce a signature of the CA's kind. */
export function webAlgorithm(algorithm: CaKeyAlgorithm): webcrypto.RsaHashedKeyGenParams | (webcrypto.EcKeyGenParams & { hash: string }) {
  const hash = hashFor(algorithm) === 'sha384' ? 'SHA-384' : 'SHA-256';
  if (algorithm.startsWith('ec-')) return { name: 'ECDSA', namedCurve: algorithm === 'ec-p256' ? 'P-256' : 'P-384', hash };
  return { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash };
}

/**
 * A throwaway WebCrypto key of the CA's kind. @peculiar/x509 builds certificates by
 * signing them; the CA key never leaves its store, so we let the library sign with this
 * key and then re-sign the same TBS with the store (see `signWithStore`).
 */
export async function throwawaySigningKey(algorithm: CaKeyAlgorithm): Promise<webcrypto.CryptoKey> {
  const pair = (await webcrypto.subtle.generateKey(webAlgorithm(algorithm), false, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  return pair.privateKey;
}

/** Re-signs a library-built certificate's TBS with the key store: the real signature. */
export async function signWithStore(built: Uint8Array, store: CaKeyStore): Promise<DerCertificate> {
  const { tbs, signatureAlgorithm } = splitCertificate(built);
  const signature = await store.sign(tbs);
  return assembleCertificate(tbs, signatureAlgorithm, signature);
}

/** A random positive serial of 128 bits in hex (RFC 5280 allows 20 octets; SPIFFE wants ≥ 64 random bits). */
export function randomSerialHex(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}

/** Parses with @peculiar/x509 (for off-hot-path reads: loading CA files, tests). */
export function parseX509(der: Uint8Array): x509.X509Certificate {
  return new x509.X509Certificate(Buffer.from(der));
}
