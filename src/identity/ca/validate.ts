// The credential validator (SPIRE's credvalidator habit): every X.509-SVID the CA makes
// is read back from its DER and checked before it is returned.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { IdentityError, IdentityErrorCode } from '../errors.js';
import type { SpiffeId } from '../spiffe-id.js';
import { DerError, TAG, children, expectTlv, readBitStringBytes, readOid, readTime, readTlv, readUnsignedInteger, type Tlv } from './der.js';

/** What the validator read from a leaf. */
export interface LeafFacts {
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  issuer: Buffer;
  spki: Buffer;
  uris: string[];
  otherSanCount: number;
  ca: boolean | undefined;
  /** Key usage bits as a number: 0x80 digitalSignature, 0x20 keyEncipherment, 0x04 keyCertSign, 0x02 cRLSign (first octet). */
  keyUsage: number | undefined;
  extKeyUsages: string[];
  /** basicConstraints' pathLenConstraint, when given. */
  pathLen: number | undefined;
  /** Extensions marked critical that this reader does not interpret (a verifier must refuse them). */
  unknownCritical: string[];
  /** OID of the outer signatureAlgorithm. */
  signatureAlgorithm: string;
  tbs: Buffer;
  signature: Buffer;
}

export interface SvidExpectations {
  spiffeId: SpiffeId;
  /** DER subject Name of the issuing CA certificate. */
  issuerName: Buffer;
  issuerNotAfter: Date;
  now: Date;
  /** The public key the leaf must carry (from the CSR). */
  spki?: Uint8Array;
  /** When given, the signature is verified too (catches a key store returning garbage). */
  issuerPublicKey?: KeyObject;
  /** Hash the CA signs with (`sha256`/`sha384`). */
  hash?: string;
}

const EKU_SERVER = '1.3.6.1.5.5.7.3.1';
const EKU_CLIENT = '1.3.6.1.5.5.7.3.2';
const KU_DIGITAL_SIGNATURE = 0x80;
const KU_CA_BITS = 0x04 | 0x02;

function fail(reason: string, message: string): IdentityError {
  return new IdentityError(IdentityErrorCode.SVID_INVALID, `minted X.509-SVID failed validation: ${message}`, { reason });
}

/**
 * Checks a minted leaf as the X.509-SVID spec asks: CA:false, digitalSignature and no CA
 * usages, serverAuth+clientAuth, exactly one URI SAN equal to the expected ID, issued by
 * our CA, valid now and not past the CA. Throws `MG_SVID_INVALID` with a `reason`.
 * @example validateX509Svid(certDer, { spiffeId, issuerName: ca.subjectName, issuerNotAfter: ca.notAfter, now });
 */
export function validateX509Svid(der: Uint8Array, want: SvidExpectations): LeafFacts {
  let f: LeafFacts;
  try {
    f = readLeafFacts(der);
  } catch (err) {
    if (err instanceof DerError) throw fail(`der-${err.reason}`, `not strict DER (${err.reason})`);
    throw err;
  }
  if (f.ca !== false) throw fail('ca-flag', 'basicConstraints must be present with CA:false');
  if (f.keyUsage === undefined || (f.keyUsage & KU_DIGITAL_SIGNATURE) === 0) throw fail('key-usage', 'keyUsage must include digitalSignature');
  if (f.keyUsage & KU_CA_BITS) throw fail('key-usage', 'keyUsage must not include keyCertSign or cRLSign');
  if (!f.extKeyUsages.includes(EKU_SERVER) || !f.extKeyUsages.includes(EKU_CLIENT)) throw fail('ext-key-usage', 'extKeyUsage must include serverAuth and clientAuth');
  if (f.uris.length !== 1 || f.otherSanCount !== 0) throw fail('san', 'exactly one URI SAN and no other names are allowed');
  if (f.uris[0] !== want.spiffeId) throw fail('san', 'URI SAN is not the expected SPIFFE ID');
  if (!f.issuer.equals(want.issuerName)) throw fail('issuer', 'issuer is not the signing CA');
  const now = want.now.getTime();
  if (f.notBefore.getTime() > now || f.notAfter.getTime() <= now) throw fail('validity', 'not valid now');
  if (f.notAfter.getTime() > want.issuerNotAfter.getTime()) throw fail('validity', 'outlives its CA');
  if (f.serialHex.length < 16) throw fail('serial', 'serial has fewer than 64 bits');
  if (want.spki && !f.spki.equals(want.spki)) throw fail('public-key', 'public key is not the requested one');
  if (want.issuerPublicKey) {
    const ok = cryptoVerify(want.hash ?? 'sha256', f.tbs, { key: want.issuerPublicKey, dsaEncoding: 'der' }, f.signature);
    if (!ok) throw fail('signature', 'signature does not verify with the CA key');
  }
  return f;
}

/** Reads the fields the validator checks from a certificate's DER (strictly). */
export function readLeafFacts(der: Uint8Array): LeafFacts {
  const buf = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  const outer = expectTlv(buf, 0, buf.length, TAG.SEQUENCE);
  if (outer.end !== buf.length) throw new DerError('trailing-bytes');
  const [tbs, sigAlg, sig] = children(buf, outer);
  if (!tbs || !sigAlg || !sig) throw new DerError('certificate-shape');
  const [version, serial, , issuer, validity, , spki, exts] = children(buf, tbs);
  if (!version || version.tag !== 0xa0 || !serial || !issuer || !validity || !spki || !exts || exts.tag !== 0xa3) {
    throw new DerError('tbs-shape');
  }
  const [nb, na] = children(buf, validity);
  const slice = (t: Tlv) => buf.subarray(t.offset, t.end);
  const facts: LeafFacts = {
    serialHex: buf.subarray(serial.start, serial.end).toString('hex').replace(/^00/, ''),
    notBefore: readTime(buf, nb!),
    notAfter: readTime(buf, na!),
    issuer: slice(issuer),
    spki: slice(spki),
    uris: [],
    otherSanCount: 0,
    ca: undefined,
    keyUsage: undefined,
    extKeyUsages: [],
    pathLen: undefined,
    unknownCritical: [],
    signatureAlgorithm: readOid(buf, expectTlv(buf, sigAlg.start, sigAlg.end, TAG.OID)),
    tbs: slice(tbs),
    signature: Buffer.from(readBitStringBytes(buf, sig)),
  };
  for (const ext of children(buf, children(buf, exts)[0]!)) readExtension(buf, ext, facts);
  return facts;
}

/** The extensions `readExtension` interprets; any other one marked critical lands in `unknownCritical`. */
const KNOWN_EXTENSIONS = new Set(['2.5.29.19', '2.5.29.15', '2.5.29.37', '2.5.29.17']);

function readExtension(buf: Buffer, ext: Tlv, facts: LeafFacts): void {
  const parts = children(buf, ext);
  const oid = readOid(buf, parts[0]!);
  const value = parts[parts.length - 1]!;
  if (value.tag !== TAG.OCTET_STRING) throw new DerError('extension-value');
  if (parts.length !== 2 && (parts.length !== 3 || parts[1]!.tag !== TAG.BOOLEAN)) throw new DerError('extension-shape');
  // DER omits a FALSE default, so a flag that is present counts as critical (a non-DER FALSE fails closed).
  const critical = parts.length === 3;
  if (critical && !KNOWN_EXTENSIONS.has(oid)) facts.unknownCritical.push(oid);
  const inner = readTlvIn(buf, value);
  if (oid === '2.5.29.19') {
    const [flag, pathLen] = children(buf, inner);
    facts.ca = flag !== undefined && flag.tag === TAG.BOOLEAN && buf[flag.start] === 0xff;
    const lenTlv = flag?.tag === TAG.INTEGER ? flag : pathLen;
    if (lenTlv?.tag === TAG.INTEGER) facts.pathLen = readUnsignedInteger(buf, lenTlv).reduce((n, b) => n * 256 + b, 0);
  } else if (oid === '2.5.29.15') {
    const bits = buf.subarray(inner.start + 1, inner.end);
    facts.keyUsage = bits[0] ?? 0;
  } else if (oid === '2.5.29.37') {
    facts.extKeyUsages = children(buf, inner).map((t) => readOid(buf, t));
  } else if (oid === '2.5.29.17') {
    for (const name of children(buf, inner)) {
      if (name.tag === 0x86) facts.uris.push(buf.subarray(name.start, name.end).toString('latin1'));
      else facts.otherSanCount++;
    }
  }
}

function readTlvIn(buf: Buffer, octets: Tlv): Tlv {
  if (octets.end === octets.start) throw new DerError('empty-extension');
  const inner = readTlv(buf, octets.start, octets.end);
  if (inner.end !== octets.end) throw new DerError('extension-trailing-bytes');
  return inner;
}
