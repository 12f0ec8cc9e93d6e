/**
 * The Protocol Buffers wire format, only the parts `workload.proto` uses: varints,
 * 64-bit doubles and length-delimited fields (strings, bytes, messages, map entries).
 * Written by hand so a sidecar does not load protobufjs and parse a .proto file at
 * start (~10 MB of RSS): see https://protobuf.dev/programming-guides/encoding/.
 * The reader is strict: it never reads past its end, and refuses groups (wire types
 * 3 and 4, gone since proto3) and field number 0.
 */
import { messageError } from './errors.js';

/** Wire types by name. */
export const WIRE = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;
export type WireType = (typeof WIRE)[keyof typeof WIRE];

// A varint is at most 10 bytes (a 64-bit value, 7 bits a byte).
const MAX_VARINT_BYTES = 10;

/** A non-negative integer as a varint. @example varint(300) // <Buffer ac 02> */
export function varint(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError(`varint needs a non-negative safe integer, not ${n}`);
  const bytes: number[] = [];
  let rest = n;
  while (rest > 0x7f) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A field's key: its number and wire type. @example fieldKey(1, WIRE.lengthDelimited) // <Buffer 0a> */
export function fieldKey(field: number, wire: WireType): Buffer {
  return varint(field * 8 + wire);
}

/** A length-delimited field: key, length, payload. */
export function lengthDelimited(field: number, payload: Uint8Array): Buffer[] {
  return [fieldKey(field, WIRE.lengthDelimited), varint(payload.length), Buffer.from(payload.buffer, payload.byteOffset, payload.length)];
}

/** A double as a fixed64 field (little-endian IEEE 754). */
export function fixed64Double(field: number, value: number): Buffer[] {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value, 0);
  return [fieldKey(field, WIRE.fixed64), b];
}

/**
 * Reads one message's bytes front to back.
 * @example const r = new WireReader(buf); while (!r.done()) { const { field, wire } = r.key(); … }
 */
export class WireReader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** A varint as a number: exact up to 2^53, which covers every length, key, bool and enum here. */
  varint(): number {
    let value = 0;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const byte = this.buf[this.pos++];
      if (byte === undefined) throw messageError('truncated', 'message ends inside a varint');
      value += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) return value;
    }
    throw messageError('bad-varint', 'varint longer than 10 bytes');
  }

  /** The next field's number and wire type. */
  key(): { field: number; wire: number } {
    const key = this.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) throw messageError('bad-field-number', 'field number 0 is not allowed');
    if (wire !== 0 && wire !== 1 && wire !== 2 && wire !== 5) throw messageError('bad-wire-type', `wire type ${wire} is not supported`);
    return { field, wire };
  }

  /** A length-delimited payload, as a view into the message. */
  bytes(): Uint8Array {
    const length = this.varint();
    if (length > this.buf.length - this.pos) throw messageError('truncated', `field of ${length} bytes goes past the end of the message`);
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  double(): number {
    if (this.buf.length - this.pos < 8) throw messageError('truncated', 'message ends inside a double');
    const value = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, 8).readDoubleLE(0);
    this.pos += 8;
    return value;
  }

  /** Skips a field this reader does not know (proto3: unknown fields are ignored). */
  skip(wire: number): void {
    if (wire === WIRE.varint) this.varint();
    else if (wire === WIRE.lengthDelimited) this.bytes();
    else this.advance(wire === WIRE.fixed64 ? 8 : 4);
  }

  private advance(n: number): void {
    if (this.buf.length - this.pos < n) throw messageError('truncated', `message ends inside a ${n * 8}-bit field`);
    this.pos += n;
  }
}
