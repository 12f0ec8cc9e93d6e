/**
 * The workload's PKCS#10 request, built without @peculiar/x509. The library (with
 * tsyringe, reflect-metadata and asn1js) costs every sidecar 7–14 MB of RSS for this
 * one request per SVID; the request is fixed in shape, so it is written here with the
 * CA's own DER helpers — the same exception ARCHITECTURE.md makes for the CA's leaf
 * template, on the same terms: tests check every request with the library, OpenSSL and
 * our CSR parser.
 *
 * Shape (what the library produced for us before, byte for byte in layout):
 *   CertificationRequest ::= SEQUENCE {
 *     certificationRequestInfo SEQUENCE { version INTEGER 0, subject SEQUENCE {} (empty),
 *                                         subjectPKInfo (Node's SPKI export), attributes [0] {} },
 *     signatureAlgorithm SEQUENCE { ecdsa-with-SHA256 },   -- no parameters (RFC 5758 §3.2)
 *     signature BIT STRING (ECDSA-Sig-Value, DER) }
 * No subject and no SAN: the CA takes the SPIFFE ID from the attestation or the client
 * certificate and ignores the subject (ARCHITECTURE.md, the flow of identity).
 */
import { createPublicKey, sign, type KeyObject } from 'node:crypto';
import { TAG, tlv } from './ca/der.js';

// ecdsa-with-SHA256, 1.2.840.10045.4.3.2, as OID content octets.
const ECDSA_WITH_SHA256 = Buffer.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
const SIGNATURE_ALGORITHM = tlv(TAG.SEQUENCE, tlv(TAG.OID, ECDSA_WITH_SHA256));
const VERSION_1 = tlv(TAG.INTEGER, Buffer.from([0]));
const EMPTY_NAME = tlv(TAG.SEQUENCE);
// [0] IMPLICIT SET OF Attribute, constructed: no extension request, no challenge password.
const NO_ATTRIBUTES = tlv(0xa0);

/**
 * A DER PKCS#10 request for a P-256 private key, self-signed with ECDSA/SHA-256.
 * Only P-256: it is the one key the proxy makes (any other key is our own bug, a
 * `TypeError` that names the key's type and never its bytes).
 * @example
 * const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
 * const csrDer = buildWorkloadCsr(privateKey); // send to the CA
 */
export function buildWorkloadCsr(privateKey: KeyObject): Buffer {
  assertP256PrivateKey(privateKey);
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const info = tlv(TAG.SEQUENCE, VERSION_1, EMPTY_NAME, spki, NO_ATTRIBUTES);
  // Node signs EC keys with a DER ECDSA-Sig-Value by default; say so, as X.509 requires it.
  const signature = sign('sha256', info, { key: privateKey, dsaEncoding: 'der' });
  return tlv(TAG.SEQUENCE, info, SIGNATURE_ALGORITHM, tlv(TAG.BIT_STRING, Buffer.from([0]), signature));
}

function assertP256PrivateKey(key: KeyObject): void {
  // Describe the key by its kind only: an error message must never carry key material.
  if (typeof key !== 'object' || key === null || (key as { type?: unknown }).type !== 'private') {
    throw new TypeError('buildWorkloadCsr needs a private KeyObject');
  }
  const kind = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (kind !== 'ec' || curve !== 'prime256v1') {
    throw new TypeError(`buildWorkloadCsr takes a P-256 key only, not ${kind === 'ec' ? `curve ${curve ?? 'unknown'}` : `a ${kind ?? 'unknown'} key`}`);
  }
}
