/**
 * Protobuf messages described by small schemas instead of a parsed .proto: the
 * schemas in `workload-messages.ts` are `workload.proto` (and the well-known
 * `google.protobuf.Struct`) written as data, and the Workload API tests check that
 * protobufjs, reading the .proto itself, agrees with every byte.
 *
 * Decoded messages look like proto-loader's with `keepCase` and `defaults`: every
 * scalar and repeated field is present with its default, message fields and oneof
 * members only when sent, bytes are Buffers, maps are plain objects.
 */
import { messageError } from './errors.js';
import { fixed64Double, fieldKey, lengthDelimited, varint, WIRE, WireReader } from './protobuf-wire.js';

/** A message type: its fields by number. `fields` may name types declared later (Struct ↔ Value). */
export interface MessageSpec {
  name: string;
  fields: readonly FieldSpec[];
}

export type ScalarType = 'string' | 'bytes' | 'double' | 'bool' | 'enum';
/** A message-typed field points at its type through a function, so recursive types can be declared. */
export type FieldType = ScalarType | { message: () => MessageSpec };

export interface FieldSpec {
  no: number;
  name: string;
  type: FieldType;
  /** `repeated`; for a map, see `map`. */
  repeated?: boolean;
  /** `map<string, type>`: repeated entries { key = 1, value = 2 } on the wire. */
  map?: boolean;
  /** A oneof member: sent whenever set (even when it is the default), absent when not. */
  oneof?: boolean;
}

export type Message = Record<string, unknown>;

/** Deeper than any JWT claims set needs; a guard against stack exhaustion by nesting. */
export const MAX_MESSAGE_DEPTH = 64;

// fatal: invalid UTF-8 is refused (proto3 strings must be UTF-8); ignoreBOM: a leading U+FEFF is content, kept.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function tooDeep(depth: number): void {
  if (depth > MAX_MESSAGE_DEPTH) throw messageError('too-deep', `message nested deeper than ${MAX_MESSAGE_DEPTH} levels`);
}

/**
 * Encodes `value` (field names as the schema writes them) as `spec`. Wrong types are
 * our own bug: they throw TypeError.
 * @example encodeMessage(JWT_SVID_REQUEST, { audience: ['orders'], spiffe_id: '' }) // <Buffer 0a 06 6f 72 64 65 72 73>
 */
export function encodeMessage(spec: MessageSpec, value: Message, depth = 0): Buffer {
  tooDeep(depth);
  const parts: Buffer[] = [];
  for (const f of spec.fields) {
    const v = value[f.name];
    if (v === undefined || v === null) continue;
    if (f.map) {
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        const entry = Buffer.concat([...encodeField(1, 'string', k, true, depth), ...encodeField(2, f.type, item, true, depth)]);
        parts.push(...lengthDelimited(f.no, entry));
      }
    } else if (f.repeated) {
      if (!Array.isArray(v)) throw new TypeError(`${spec.name}.${f.name} must be an array`);
      for (const item of v) parts.push(...encodeField(f.no, f.type, item, true, depth));
    } else {
      parts.push(...encodeField(f.no, f.type, v, f.oneof === true, depth));
    }
  }
  return Buffer.concat(parts);
}

/** One value; proto3 leaves out a default scalar unless `always` (repeated items, map entries, oneof members). */
function encodeField(no: number, type: FieldType, v: unknown, always: boolean, depth: number): Buffer[] {
  const wrong = () => new TypeError(`field ${no} must be of type ${typeof type === 'string' ? type : type.message().name}`);
  if (typeof type !== 'string') {
    if (typeof v !== 'object' || v === null) throw wrong();
    return lengthDelimited(no, encodeMessage(type.message(), v as Message, depth + 1));
  }
  switch (type) {
    case 'string':
      if (typeof v !== 'string') throw wrong();
      return always || v !== '' ? lengthDelimited(no, Buffer.from(v, 'utf8')) : [];
    case 'bytes':
      if (!(v instanceof Uint8Array)) throw wrong();
      return always || v.length > 0 ? lengthDelimited(no, v) : [];
    case 'double':
      if (typeof v !== 'number') throw wrong();
      return always || !Object.is(v, 0) ? fixed64Double(no, v) : [];
    case 'bool':
      if (typeof v !== 'boolean') throw wrong();
      return always || v ? [fieldKey(no, WIRE.varint), varint(v ? 1 : 0)] : [];
    case 'enum':
      if (typeof v !== 'number') throw wrong();
      return always || v !== 0 ? [fieldKey(no, WIRE.varint), varint(v)] : [];
  }
}

const byNumber = new WeakMap<MessageSpec, Map<number, FieldSpec>>();

function fieldOf(spec: MessageSpec, no: number): FieldSpec | undefined {
  let index = byNumber.get(spec);
  if (!index) byNumber.set(spec, (index = new Map(spec.fields.map((f) => [f.no, f]))));
  return index.get(no);
}

function defaultOf(f: FieldSpec): unknown {
  if (f.map) return {};
  if (f.repeated) return [];
  switch (f.type) {
    case 'string': return '';
    case 'bytes': return Buffer.alloc(0);
    case 'double': case 'enum': return 0;
    case 'bool': return false;
    default: return undefined;
  }
}

/** An own property even for keys like `__proto__`: a map key must never reach a prototype. */
function setKey(target: Message, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Decodes one `spec` message; refuses malformed bytes with `MG_WORKLOAD_API_MESSAGE`.
 * Unknown fields are skipped, as proto3 requires.
 * @example decodeMessage(JWT_SVID_REQUEST, buf) // { audience: ['orders'], spiffe_id: '' }
 */
export function decodeMessage(spec: MessageSpec, bytes: Uint8Array, depth = 0): Message {
  tooDeep(depth);
  const out: Message = {};
  for (const f of spec.fields) if (!f.oneof && defaultOf(f) !== undefined) setKey(out, f.name, defaultOf(f));
  const r = new WireReader(bytes);
  while (!r.done()) {
    const { field, wire } = r.key();
    const f = fieldOf(spec, field);
    if (!f) {
      r.skip(wire);
      continue;
    }
    if (f.map) {
      if (wire !== WIRE.lengthDelimited) throw messageError('bad-wire-type', `${spec.name}.${f.name} must be length-delimited`);
      const [k, v] = decodeMapEntry(r.bytes(), f, depth);
      setKey(out[f.name] as Message, k, v);
    } else {
      const v = decodeValue(r, wire, f.type, depth, `${spec.name}.${f.name}`);
      if (f.repeated) (out[f.name] as unknown[]).push(v);
      else setKey(out, f.name, v);
    }
  }
  return out;
}

function decodeMapEntry(bytes: Uint8Array, f: FieldSpec, depth: number): [string, unknown] {
  const r = new WireReader(bytes);
  let key = '';
  let value: unknown;
  while (!r.done()) {
    const { field, wire } = r.key();
    if (field === 1) key = decodeValue(r, wire, 'string', depth, `${f.name} key`) as string;
    else if (field === 2) value = decodeValue(r, wire, f.type, depth, `${f.name} value`);
    else r.skip(wire);
  }
  // A missing value is its type's default.
  if (value === undefined) value = typeof f.type === 'string' ? defaultOf({ ...f, map: false }) : decodeMessage(f.type.message(), new Uint8Array(0), depth + 1);
  return [key, value];
}

const WIRE_OF: Record<ScalarType, number> = { string: WIRE.lengthDelimited, bytes: WIRE.lengthDelimited, double: WIRE.fixed64, bool: WIRE.varint, enum: WIRE.varint };

function decodeValue(r: WireReader, wire: number, type: FieldType, depth: number, where: string): unknown {
  const expected = typeof type === 'string' ? WIRE_OF[type] : WIRE.lengthDelimited;
  if (wire !== expected) throw messageError('bad-wire-type', `${where} has wire type ${wire}, expected ${expected}`);
  if (typeof type !== 'string') return decodeMessage(type.message(), r.bytes(), depth + 1);
  switch (type) {
    case 'string': {
      const bytes = r.bytes();
      try {
        return utf8.decode(bytes);
      } catch {
        throw messageError('bad-utf8', `${where} is not valid UTF-8`);
      }
    }
    case 'bytes': return Buffer.from(r.bytes());
    case 'double': return r.double();
    case 'bool': return r.varint() !== 0;
    case 'enum': return r.varint();
  }
}
