import { createPublicKey, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { CsrRefusedError, IdentityErrorCode, type IdentityErrorCodeValue } from '../errors.js';
import { noteImportedKey } from './key-sweeper.js';
import { DerError, TAG, children, expectTlv, readBitStringBytes, readOid, readUnsignedInteger, type Tlv } from './der.js';

/** CSRs above this are refused before any parsing: a real one is under 2 KiB. */
export const MAX_CSR_BYTES = 64 * 1024;
// Bigger RSA moduli only cost the CA verify time; nobody needs more than 8192 bits.
const MAX_RSA_BITS = 8192;
const MIN_RSA_BITS = 2048;

/** The kind of the CSR's key, which picks the leaf template (RSA adds keyEncipherment). */
export type LeafKeyKind = 'ec-p256' | 'ec-p384' | 'rsa';

/** What the CA takes from a CSR: its public key, and its URI SANs to compare with the attested ID. */
export interface ParsedCsr {
  keyKind: LeafKeyKind;
  /** The SubjectPublicKeyInfo, DER, copied into the certificate unchanged. */
  spki: Buffer;
  /** The imported public key (already used to verify the CSR). */
  publicKey: KeyObject;
  /** URI SANs as written; the subject and DNS SANs are ignored on purpose. */
  uriSans: string[];
}

const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  rsaEncryption: '1.2.840.113549.1.1.1',
  extensionRequest: '1.2.840.113549.1.9.14',
  subjectAltName: '2.5.29.17',
} as const;

const EC_SIGNATURES: Record<string, string> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};
const RSA_SIGNATURES: Record<string, string> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};
const CURVE_NAMES: Record<string, string> = { '1.3.132.0.35': 'P-521', '1.3.132.0.10': 'secp256k1', '1.2.840.10045.3.1.1': 'P-192', '1.3.132.0.33': 'P-224' };

function refuse(code: IdentityErrorCodeValue, reason: string, message: string): CsrRefusedError {
  return new CsrRefusedError(code, message, { reason });
}

function malformed(reason: string): CsrRefusedError {
  return refuse(IdentityErrorCode.CSR_MALFORMED, reason, `CSR is not a valid DER PKCS#10 request (${reason})`);
}

/**
 * Parses a DER PKCS#10 CSR strictly and verifies its signature with its own key.
 * Refuses oversize input, trailing bytes, non-minimal or indefinite lengths, weak or
 * unsupported keys, and signatures that do not verify — always with a `CsrRefusedError`.
 * @example const csr = parseAndVerifyCsr(der); csr.uriSans // ['spiffe://cluster.local/ns/a/sa/b']
 */
export function parseAndVerifyCsr(der: Uint8Array): ParsedCsr {
  const parts = readCsrStrictly(der);
  const publicKey = importKey(parts);
  noteImportedKey();
  const ok = cryptoVerify(parts.hash, der.subarray(parts.info.offset, parts.info.end), { key: publicKey, dsaEncoding: 'der' }, parts.signature);
  if (!ok) throw badSignature();
  return { keyKind: parts.keyKind, spki: Buffer.from(der.subarray(parts.spki.offset, parts.spki.end)), publicKey, uriSans: parts.uriSans };
}

/** A CSR's self-signature, as plain data a worker thread can check: `jwk` must verify `signature` over `data`. */
export interface CsrSignature {
  hash: string;
  jwk: JsonWebKey;
  data: Uint8Array;
  signature: Uint8Array;
}

/** What checking a `CsrSignature` found (`bad-public-key`: the key does not import, e.g. a point off the curve). */
export type CsrVerdict = 'ok' | 'bad-signature' | 'bad-public-key';

/**
 * `parseAndVerifyCsr` with the signature checked by `verify` (the CA's crypto workers),
 * so the event loop that called it does no public-key work. Same refusals, same codes.
 * @example const csr = await parseAndVerifyCsrWith(der, workers.verifyCsr);
 */
export async function parseAndVerifyCsrWith(der: Uint8Array, verify: (s: CsrSignature) => Promise<CsrVerdict>): Promise<Omit<ParsedCsr, 'publicKey'>> {
  const { csr, signature } = readCsrForVerification(der);
  const verdict = await verify(signature);
  if (verdict !== 'ok') throw csrVerdictError(verdict);
  return csr;
}

/**
 * Parses a CSR strictly (same refusals as `parseAndVerifyCsr`) without checking its
 * self-signature: the caller must check `signature` (e.g. on a crypto worker, together with
 * the signing of the leaf) and refuse with `csrVerdictError` unless it is `ok`.
 * @example
 *   const { csr, signature } = readCsrForVerification(der);
 *   const verdict = await workers.verifyCsr(signature);
 *   if (verdict !== 'ok') throw csrVerdictError(verdict);
 */
export function readCsrForVerification(der: Uint8Array): { csr: Omit<ParsedCsr, 'publicKey'>; signature: CsrSignature } {
  const parts = readCsrStrictly(der);
  return {
    csr: { keyKind: parts.keyKind, spki: Buffer.from(der.subarray(parts.spki.offset, parts.spki.end)), uriSans: parts.uriSans },
    // Copies, so that posting them to a worker clones these bytes and not a whole pooled buffer.
    signature: { hash: parts.hash, jwk: jwkOf(parts), data: der.slice(parts.info.offset, parts.info.end), signature: Uint8Array.from(parts.signature) },
  };
}

/**
 * The refusal for a CSR whose self-signature check failed.
 * @example if (verdict !== 'ok') throw csrVerdictError(verdict);
 */
export function csrVerdictError(verdict: Exclude<CsrVerdict, 'ok'>): CsrRefusedError {
  return verdict === 'bad-public-key' ? badPublicKey() : badSignature();
}

function readCsrStrictly(der: Uint8Array): CsrParts {
  if (der.length > MAX_CSR_BYTES) {
    throw refuse(IdentityErrorCode.CSR_TOO_LARGE, 'too-large', `CSR of ${der.length} bytes exceeds the ${MAX_CSR_BYTES}-byte limit`);
  }
  try {
    return readCsr(der);
  } catch (err) {
    if (err instanceof DerError) throw malformed(err.reason);
    throw err;
  }
}

const badSignature = () => refuse(IdentityErrorCode.CSR_BAD_SIGNATURE, 'bad-signature', 'CSR signature does not verify with the key it carries');
const badPublicKey = (cause?: unknown) =>
  new CsrRefusedError(IdentityErrorCode.CSR_MALFORMED, 'CSR public key is not a valid key (point not on curve?)', { reason: 'bad-public-key', ...(cause ? { cause } : {}) });

interface CsrParts {
  info: Tlv;
  spki: Tlv;
  keyKind: LeafKeyKind;
  /** EC: uncompressed point; RSA: modulus and exponent magnitudes. */
  point?: Uint8Array;
  rsa?: { n: Uint8Array; e: Uint8Array };
  hash: string;
  signature: Uint8Array;
  uriSans: string[];
}

function readCsr(der: Uint8Array): CsrParts {
  const outer = expectTlv(der, 0, der.length, TAG.SEQUENCE);
  if (outer.end !== der.length) throw new DerError('trailing-bytes');
  const [info, sigAlg, sigBits, ...extra] = children(der, outer);
  if (!info || !sigAlg || !sigBits || extra.length) throw new DerError('csr-shape');
  if (info.tag !== TAG.SEQUENCE || sigAlg.tag !== TAG.SEQUENCE) throw new DerError('csr-shape');
  const [version, subject, spki, attrs, ...more] = children(der, info);
  if (!version || !subject || !spki || !attrs || more.length) throw new DerError('info-shape');
  if (version.tag !== TAG.INTEGER || version.end - version.start !== 1 || der[version.start] !== 0) throw new DerError('version');
  checkName(der, subject);
  if (spki.tag !== TAG.SEQUENCE) throw new DerError('spki');
  if (attrs.tag !== 0xa0) throw new DerError('attributes');
  const key = readSpki(der, spki);
  const hash = readSignatureAlgorithm(der, sigAlg, key.keyKind);
  return { info, spki, ...key, hash, signature: readBitStringBytes(der, sigBits), uriSans: readAttributes(der, attrs) };
}

function checkName(der: Uint8Array, name: Tlv): void {
  if (name.tag !== TAG.SEQUENCE) throw new DerError('subject');
  for (const rdn of children(der, name)) {
    if (rdn.tag !== TAG.SET) throw new DerError('subject-rdn');
    const atvs = children(der, rdn);
    if (atvs.length === 0) throw new DerError('subject-rdn');
    for (const atv of atvs) {
      const [type, value, ...rest] = atv.tag === TAG.SEQUENCE ? children(der, atv) : [];
      if (!type || !value || rest.length) throw new DerError('subject-atv');
      readOid(der, type);
    }
  }
}

function readSpki(der: Uint8Array, spki: Tlv): Pick<CsrParts, 'keyKind' | 'point' | 'rsa'> {
  const [alg, bits, ...rest] = children(der, spki);
  if (!alg || !bits || rest.length || alg.tag !== TAG.SEQUENCE) throw new DerError('spki');
  const [algOid, params, ...more] = children(der, alg);
  if (!algOid || more.length) throw new DerError('spki-algorithm');
  const keyOid = readOid(der, algOid);
  const keyBytes = readBitStringBytes(der, bits);
  if (keyOid === OID.ecPublicKey) {
    if (!params || params.tag !== TAG.OID) throw new DerError('ec-parameters');
    const curve = readOid(der, params);
    const keyKind = curve === OID.p256 ? 'ec-p256' : curve === OID.p384 ? 'ec-p384' : undefined;
    if (!keyKind) {
      const name = CURVE_NAMES[curve] ?? curve;
      throw refuse(IdentityErrorCode.CSR_WEAK_KEY, `curve-${name}`, `CSR key on curve ${name} refused: only P-256 and P-384 are accepted`);
    }
    const size = keyKind === 'ec-p256' ? 65 : 97;
    if (keyBytes.length !== size || keyBytes[0] !== 0x04) throw new DerError('ec-point');
    return { keyKind, point: keyBytes };
  }
  if (keyOid === OID.rsaEncryption) {
    if (!params || params.tag !== TAG.NULL || params.end !== params.start) throw new DerError('rsa-parameters');
    const seq = expectTlv(keyBytes, 0, keyBytes.length, TAG.SEQUENCE);
    if (seq.end !== keyBytes.length) throw new DerError('rsa-key-trailing');
    const [nTlv, eTlv, ...extra] = children(keyBytes, seq);
    if (!nTlv || !eTlv || extra.length) throw new DerError('rsa-key');
    const n = readUnsignedInteger(keyBytes, nTlv);
    const e = readUnsignedInteger(keyBytes, eTlv);
    const bits = n.length * 8 - Math.clz32(n[0]!) + 24;
    if (bits < MIN_RSA_BITS) throw refuse(IdentityErrorCode.CSR_WEAK_KEY, `rsa-${bits}`, `CSR RSA key of ${bits} bits refused: at least ${MIN_RSA_BITS} are required`);
    if (bits > MAX_RSA_BITS) throw refuse(IdentityErrorCode.CSR_UNSUPPORTED_KEY, `rsa-${bits}`, `CSR RSA key of ${bits} bits refused: at most ${MAX_RSA_BITS} are accepted`);
    if (e.length > 4 || (e[e.length - 1]! & 1) === 0 || (e.length === 1 && e[0]! < 3)) throw new DerError('rsa-exponent');
    return { keyKind: 'rsa', rsa: { n, e } };
  }
  throw refuse(IdentityErrorCode.CSR_UNSUPPORTED_KEY, `key-${keyOid}`, `CSR key algorithm ${keyOid} is not supported (EC P-256/P-384 or RSA only)`);
}

function readSignatureAlgorithm(der: Uint8Array, alg: Tlv, keyKind: LeafKeyKind): string {
  const [oidTlv, params, ...rest] = children(der, alg);
  if (!oidTlv || rest.length) throw new DerError('signature-algorithm');
  const oid = readOid(der, oidTlv);
  const isRsa = keyKind === 'rsa';
  const hash = isRsa ? RSA_SIGNATURES[oid] : EC_SIGNATURES[oid];
  if (!hash) {
    throw refuse(IdentityErrorCode.CSR_UNSUPPORTED_KEY, `signature-${oid}`, `CSR signature algorithm ${oid} is not supported for a ${keyKind} key`);
  }
  // RSA PKCS#1 v1.5 identifiers carry NULL parameters; ECDSA ones carry none.
  if (isRsa ? !params || params.tag !== TAG.NULL || params.end !== params.start : params !== undefined) {
    throw new DerError('signature-parameters');
  }
  return hash;
}

function readAttributes(der: Uint8Array, attrs: Tlv): string[] {
  let uris: string[] | undefined;
  for (const attr of children(der, attrs)) {
    const [typeTlv, values, ...rest] = attr.tag === TAG.SEQUENCE ? children(der, attr) : [];
    if (!typeTlv || !values || rest.length || values.tag !== TAG.SET) throw new DerError('attribute');
    const vals = children(der, values);
    if (vals.length === 0) throw new DerError('attribute-values');
    if (readOid(der, typeTlv) !== OID.extensionRequest) continue;
    if (uris !== undefined || vals.length !== 1) throw new DerError('duplicate-extension-request');
    uris = readExtensionRequest(der, vals[0]!);
  }
  return uris ?? [];
}

function readExtensionRequest(der: Uint8Array, exts: Tlv): string[] {
  if (exts.tag !== TAG.SEQUENCE) throw new DerError('extensions');
  const seen = new Set<string>();
  let uris: string[] = [];
  for (const ext of children(der, exts)) {
    const parts = ext.tag === TAG.SEQUENCE ? children(der, ext) : [];
    const [oidTlv, second, third, ...rest] = parts;
    if (!oidTlv || !second || rest.length) throw new DerError('extension');
    let value = second;
    if (third) {
      // DER: `critical` is present only when TRUE, and TRUE is 0xFF.
      if (second.tag !== TAG.BOOLEAN || second.end - second.start !== 1 || der[second.start] !== 0xff) throw new DerError('extension-critical');
      value = third;
    }
    if (value.tag !== TAG.OCTET_STRING) throw new DerError('extension-value');
    const oid = readOid(der, oidTlv);
    if (seen.has(oid)) throw new DerError('duplicate-extension');
    seen.add(oid);
    if (oid === OID.subjectAltName) uris = readSanUris(der, value);
  }
  return uris;
}

function readSanUris(der: Uint8Array, octets: Tlv): string[] {
  const names = expectTlv(der, octets.start, octets.end, TAG.SEQUENCE);
  if (names.end !== octets.end) throw new DerError('san-trailing-bytes');
  const all = children(der, names);
  if (all.length === 0) throw new DerError('san-empty');
  const uris: string[] = [];
  for (const name of all) {
    if (name.tag !== 0x86) continue; // only uniformResourceIdentifier [6] matters; DNS and others are ignored
    const bytes = der.subarray(name.start, name.end);
    if (bytes.some((b) => b > 0x7e || b < 0x20)) throw new DerError('san-uri-chars');
    uris.push(Buffer.from(bytes).toString('latin1'));
  }
  return uris;
}

function importKey(parts: CsrParts): KeyObject {
  // JWK import is 2x cheaper than SPKI DER import in Node (measured in bench/identity), and
  // this is the largest cost of issuing after the signatures themselves.
  try {
    return createPublicKey({ key: jwkOf(parts), format: 'jwk' });
  } catch (cause) {
    throw badPublicKey(cause);
  }
}

function jwkOf(parts: CsrParts): JsonWebKey {
  if (parts.rsa) return { kty: 'RSA', n: b64u(parts.rsa.n), e: b64u(parts.rsa.e) };
  const point = parts.point!;
  const half = (point.length - 1) / 2;
  const crv = parts.keyKind === 'ec-p256' ? 'P-256' : 'P-384';
  return { kty: 'EC', crv, x: b64u(point.subarray(1, 1 + half)), y: b64u(point.subarray(1 + half)) };
}

function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decodes one `CERTIFICATE REQUEST` PEM block to DER (strict: exactly one block).
 * @example parseAndVerifyCsr(csrPemToDer(pem))
 */
export function csrPemToDer(pem: string): Buffer {
  if (pem.length > MAX_CSR_BYTES * 2) {
    throw refuse(IdentityErrorCode.CSR_TOO_LARGE, 'too-large', `CSR PEM of ${pem.length} characters exceeds the limit`);
  }
  const m = /^\s*-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END (?:NEW )?CERTIFICATE REQUEST-----\s*$/.exec(pem);
  if (!m) throw malformed('pem');
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}
