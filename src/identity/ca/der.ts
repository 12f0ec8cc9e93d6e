// Strict DER reading and the few encodings the leaf template patches in. This is the
// one place meshguard touches ASN.1 by hand (see ARCHITECTURE.md: the CA's hot path);
// everything else goes through @peculiar/x509.
// The workload's CSR (../workload-csr.ts) is built with these helpers too, and the sidecar's
// own chain verification (../verify-chain.ts, via validate.ts) reads certificates with them,
// on the same terms: the sidecar cannot afford the library's memory, and tests check both.

/** One TLV: `tag` byte, content in `[start, end)`, whole element in `[offset, end)`. */
export interface Tlv {
  tag: number;
  offset: number;
  start: number;
  end: number;
}

/** Thrown by the reader; callers map it to their own domain error. */
export class DerError extends Error {
  constructor(readonly reason: string) {
    super(`DER: ${reason}`);
  }
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/**
 * Reads one element at `offset`, refusing what DER forbids: high tag numbers,
 * indefinite lengths, non-minimal lengths, lengths past `limit`.
 */
export function readTlv(buf: Uint8Array, offset: number, limit: number = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated-header');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high-tag-number');
  const first = buf[offset + 1]!;
  let len: number;
  let start: number;
  if (first < 0x80) {
    len = first;
    start = offset + 2;
  } else {
    const n = first & 0x7f;
    if (n === 0) throw new DerError('indefinite-length');
    if (n > 3) throw new DerError('length-too-large');
    if (offset + 2 + n > limit) throw new DerError('truncated-length');
    if (buf[offset + 2] === 0) throw new DerError('non-minimal-length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[offset + 2 + i]!;
    if (len < 0x80) throw new DerError('non-minimal-length');
    start = offset + 2 + n;
  }
  const end = start + len;
  if (end > limit) throw new DerError('truncated-content');
  return { tag, offset, start, end };
}

/** Reads one element of the expected tag. */
export function expectTlv(buf: Uint8Array, offset: number, limit: number, tag: number): Tlv {
  const tlv = readTlv(buf, offset, limit);
  if (tlv.tag !== tag) throw new DerError(`unexpected-tag-0x${tag.toString(16)}`);
  return tlv;
}

/** All direct children of a constructed element, each checked. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let at = parent.start;
  while (at < parent.end) {
    const tlv = readTlv(buf, at, parent.end);
    out.push(tlv);
    at = tlv.end;
  }
  return out;
}

/** Decodes an OBJECT IDENTIFIER's content to dotted form, refusing non-minimal arcs. */
export function readOid(buf: Uint8Array, tlv: Tlv): string {
  if (tlv.tag !== TAG.OID) throw new DerError('expected-oid');
  if (tlv.end === tlv.start) throw new DerError('empty-oid');
  const arcs: number[] = [];
  let value = 0;
  let fresh = true;
  for (let i = tlv.start; i < tlv.end; i++) {
    const b = buf[i]!;
    if (fresh && b === 0x80) throw new DerError('non-minimal-oid');
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError('oid-arc-too-large');
    fresh = (b & 0x80) === 0;
    if (fresh) {
      arcs.push(value);
      value = 0;
    }
  }
  if (!fresh) throw new DerError('truncated-oid');
  const head = arcs[0]!;
  const top = head < 40 ? 0 : head < 80 ? 1 : 2;
  return [top, head - top * 40, ...arcs.slice(1)].join('.');
}

/** The bytes of a BIT STRING with zero unused bits (all we accept: keys and signatures). */
export function readBitStringBytes(buf: Uint8Array, tlv: Tlv): Uint8Array {
  if (tlv.tag !== TAG.BIT_STRING) throw new DerError('expected-bit-string');
  if (tlv.end === tlv.start || buf[tlv.start] !== 0) throw new DerError('bit-string-unused-bits');
  return buf.subarray(tlv.start + 1, tlv.end);
}

/** A positive INTEGER's magnitude (without the sign byte), refusing non-minimal and negative forms. */
export function readUnsignedInteger(buf: Uint8Array, tlv: Tlv): Uint8Array {
  if (tlv.tag !== TAG.INTEGER) throw new DerError('expected-integer');
  const len = tlv.end - tlv.start;
  if (len === 0) throw new DerError('empty-integer');
  const b0 = buf[tlv.start]!;
  if (b0 & 0x80) throw new DerError('negative-integer');
  if (len > 1 && b0 === 0 && (buf[tlv.start + 1]! & 0x80) === 0) throw new DerError('non-minimal-integer');
  return b0 === 0 && len > 1 ? buf.subarray(tlv.start + 1, tlv.end) : buf.subarray(tlv.start, tlv.end);
}

// ---------------------------------------------------------------- writing

/** DER length octets for `len`. */
export function encodeLength(len: number): Buffer {
  if (len < 0x80) return Buffer.from([len]);
  if (len < 0x100) return Buffer.from([0x81, len]);
  if (len < 0x10000) return Buffer.from([0x82, len >> 8, len & 0xff]);
  return Buffer.from([0x83, len >> 16, (len >> 8) & 0xff, len & 0xff]);
}

/** One element from its tag and content parts. */
export function tlv(tag: number, ...parts: Uint8Array[]): Buffer {
  let len = 0;
  for (const p of parts) len += p.length;
  return Buffer.concat([Buffer.from([tag]), encodeLength(len), ...parts]);
}

// Issuing thousands of certificates a second, notBefore/notAfter repeat within a second:
// a tiny cache saves the string work (~3 µs each).
const timeCache = new Map<number, Buffer>();
const TIME_CACHE_MAX = 16;

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5), to the second. */
export function encodeTime(date: Date): Buffer {
  const second = Math.floor(date.getTime() / 1000);
  let hit = timeCache.get(second);
  if (!hit) {
    if (timeCache.size >= TIME_CACHE_MAX) timeCache.clear();
    hit = encodeTimeUncached(date);
    timeCache.set(second, hit);
  }
  return hit;
}

function encodeTimeUncached(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const year = date.getUTCFullYear();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  if (year >= 1950 && year < 2050) return tlv(TAG.UTC_TIME, Buffer.from(`${digits.slice(2)}Z`, 'latin1'));
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(`${digits}Z`, 'latin1'));
}

/** Reads a UTCTime/GeneralizedTime of the exact DER form (`…Z`, seconds, no fraction). */
export function readTime(buf: Uint8Array, t: Tlv): Date {
  const s = Buffer.from(buf.subarray(t.start, t.end)).toString('latin1');
  let full: string;
  if (t.tag === TAG.UTC_TIME && /^\d{12}Z$/.test(s)) {
    const yy = Number(s.slice(0, 2));
    full = `${yy >= 50 ? 19 : 20}${s}`;
  } else if (t.tag === TAG.GENERALIZED_TIME && /^\d{14}Z$/.test(s)) {
    full = s;
  } else {
    throw new DerError('bad-time');
  }
  const ms = Date.UTC(+full.slice(0, 4), +full.slice(4, 6) - 1, +full.slice(6, 8), +full.slice(8, 10), +full.slice(10, 12), +full.slice(12, 14));
  if (Number.isNaN(ms)) throw new DerError('bad-time');
  return new Date(ms);
}
