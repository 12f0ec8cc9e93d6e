// The hot-path certificate builder: @peculiar/x509 builds one sample leaf per CA and
// leaf-key kind; its DER is split into parts once, and each issued certificate is those
// parts with serial, validity, public key and URI SAN patched in. Every certificate this
// makes is checked by validate.ts before it leaves the CA, and in tests by the library
// and OpenSSL (test/identity/ca/issue.test.ts).
import { generateKeyPairSync } from 'node:crypto';
import { x509 } from '../x509-provider.js';
import { TAG, children, encodeLength, encodeTime, expectTlv } from './der.js';
import { throwawaySigningKey, webAlgorithm } from './certificate.js';
import type { CertificateAuthority } from './authority.js';

/** Leaf templates differ only in key usage: RSA keys also get keyEncipherment (X.509-SVID spec). */
export type TemplateKind = 'ec' | 'rsa';

/** The constant parts of a leaf TBSCertificate, DER. */
export interface LeafTemplate {
  readonly kind: TemplateKind;
  readonly version: Buffer;
  readonly signatureAlgorithm: Buffer;
  readonly issuer: Buffer;
  readonly subject: Buffer;
  /** Extensions before and after the SAN, in the library's order. */
  readonly extensionsBefore: Buffer;
  readonly extensionsAfter: Buffer;
  /** The SAN extension's OID and critical flag elements; its value is patched per leaf. */
  readonly sanHead: Buffer;
}

/** What changes from one leaf to the next. */
export interface LeafFields {
  /** Serial INTEGER content (positive, minimal). */
  serial: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo DER, from the CSR. */
  spki: Uint8Array;
  uri: string;
}

const SAN_OID = '2.5.29.17';
// An empty subject: the identity is the URI SAN alone, which is then critical (RFC 5280 §4.2.1.6).
const EMPTY_NAME = Buffer.from([0x30, 0x00]);

/**
 * Builds the template for one CA and leaf-key kind with @peculiar/x509 (once, at CA start).
 * @example const t = await buildLeafTemplate(ca, 'ec'); const tbs = renderLeafTbs(t, fields);
 */
export async function buildLeafTemplate(ca: CertificateAuthority, kind: TemplateKind): Promise<LeafTemplate> {
  const sample = kind === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey
    : generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const usages = x509.KeyUsageFlags.digitalSignature | (kind === 'rsa' ? x509.KeyUsageFlags.keyEncipherment : 0);
  const built = await x509.X509CertificateGenerator.create({
    serialNumber: '01',
    subject: '',
    issuer: 'CN=template',
    notBefore: new Date(0),
    notAfter: new Date(1000),
    publicKey: sample.export({ format: 'der', type: 'spki' }),
    signingKey: await throwawaySigningKey(ca.keyStore.algorithm),
    signingAlgorithm: webAlgorithm(ca.keyStore.algorithm),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(usages, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.AuthorityKeyIdentifierExtension(ca.subjectKeyId.toString('hex')),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: 'spiffe://template.invalid/x' }], true),
    ],
  });
  return splitTemplate(Buffer.from(built.rawData), kind, ca.subjectName);
}

function splitTemplate(der: Buffer, kind: TemplateKind, issuer: Buffer): LeafTemplate {
  const slice = (t: { offset: number; end: number }) => der.subarray(t.offset, t.end);
  const outer = expectTlv(der, 0, der.length, TAG.SEQUENCE);
  const tbs = children(der, outer)[0]!;
  const [version, , sigAlg, , , , , extsWrapper] = children(der, tbs);
  if (!version || !sigAlg || !extsWrapper) throw new TypeError('unexpected template shape');
  const exts = children(der, children(der, extsWrapper)[0]!);
  const sanAt = exts.findIndex((e) => {
    const oid = children(der, e)[0]!;
    return Buffer.from(der.subarray(oid.start, oid.end)).equals(Buffer.from([0x55, 0x1d, 0x11]));
  });
  if (sanAt < 0) throw new TypeError(`template lacks ${SAN_OID}`);
  const [sanOid, sanCritical] = children(der, exts[sanAt]!);
  return Object.freeze({
    kind,
    version: Buffer.from(slice(version)),
    signatureAlgorithm: Buffer.from(slice(sigAlg)),
    issuer: Buffer.from(issuer),
    subject: EMPTY_NAME,
    extensionsBefore: Buffer.concat(exts.slice(0, sanAt).map(slice)),
    extensionsAfter: Buffer.concat(exts.slice(sanAt + 1).map(slice)),
    sanHead: Buffer.concat([slice(sanOid!), slice(sanCritical!)]),
  });
}

/**
 * The TBSCertificate DER of one leaf: the template with this leaf's fields patched in.
 * Lengths are computed first and the parts copied once into one buffer (nested `tlv()`
 * calls cost a copy per level: half the time of this function).
 */
export function renderLeafTbs(t: LeafTemplate, f: LeafFields): Buffer {
  const uri = Buffer.from(f.uri, 'latin1');
  const nb = encodeTime(f.notBefore);
  const na = encodeTime(f.notAfter);
  const uriLen = headerLen(uri.length) + uri.length;
  const namesLen = headerLen(uriLen) + uriLen;
  const octetsLen = headerLen(namesLen) + namesLen;
  const sanBody = t.sanHead.length + octetsLen;
  const sanLen = headerLen(sanBody) + sanBody;
  const extsBody = t.extensionsBefore.length + sanLen + t.extensionsAfter.length;
  const extsSeqLen = headerLen(extsBody) + extsBody;
  const validityBody = nb.length + na.length;
  const body = t.version.length + headerLen(f.serial.length) + f.serial.length + t.signatureAlgorithm.length + t.issuer.length
    + headerLen(validityBody) + validityBody + t.subject.length + f.spki.length + headerLen(extsSeqLen) + extsSeqLen;
  const out = Buffer.allocUnsafe(headerLen(body) + body);
  let at = writeHeader(out, 0, TAG.SEQUENCE, body);
  const put = (b: Uint8Array) => { out.set(b, at); at += b.length; };
  put(t.version);
  at = writeHeader(out, at, TAG.INTEGER, f.serial.length); put(f.serial);
  put(t.signatureAlgorithm);
  put(t.issuer);
  at = writeHeader(out, at, TAG.SEQUENCE, validityBody); put(nb); put(na);
  put(t.subject);
  put(f.spki);
  at = writeHeader(out, at, 0xa3, extsSeqLen);
  at = writeHeader(out, at, TAG.SEQUENCE, extsBody);
  put(t.extensionsBefore);
  at = writeHeader(out, at, TAG.SEQUENCE, sanBody); put(t.sanHead);
  at = writeHeader(out, at, TAG.OCTET_STRING, namesLen);
  at = writeHeader(out, at, TAG.SEQUENCE, uriLen);
  at = writeHeader(out, at, 0x86, uri.length); put(uri);
  put(t.extensionsAfter);
  if (at !== out.length) throw new TypeError('leaf template length mismatch');
  return out;
}

function headerLen(len: number): number {
  return len < 0x80 ? 2 : len < 0x100 ? 3 : len < 0x10000 ? 4 : 5;
}

function writeHeader(out: Buffer, at: number, tag: number, len: number): number {
  out[at] = tag;
  const l = encodeLength(len);
  out.set(l, at + 1);
  return at + 1 + l.length;
}
