// The Workload API concatenates DER certificates in one `bytes` field; this splits them
// by the outer SEQUENCE's length (no other parsing: each piece is then a certificate to read).

/**
 * Splits concatenated DER SEQUENCEs.
 * @example splitDerSequence(Buffer.concat([leaf, intermediate])) // [leaf, intermediate]
 */
export function splitDerSequence(der: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < der.length) {
    if (der[at] !== 0x30 || at + 2 > der.length) throw new Error('not a DER SEQUENCE');
    const first = der[at + 1]!;
    let len = first;
    let header = 2;
    if (first & 0x80) {
      const n = first & 0x7f;
      if (n === 0 || n > 4 || at + 2 + n > der.length) throw new Error('bad DER length');
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + der[at + 2 + i]!;
      header = 2 + n;
    }
    const end = at + header + len;
    if (end > der.length) throw new Error('truncated DER');
    out.push(der.subarray(at, end));
    at = end;
  }
  return out;
}
