import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as protoLoader from '@grpc/proto-loader';
import fc from 'fast-check';
import { decodeMessage, encodeMessage, MAX_MESSAGE_DEPTH, type Message } from '../../../src/proxy/workload-api/message-codec.js';
import { workloadProtoPath } from '../../../src/proxy/workload-api/proto.js';
import { WORKLOAD_API_SERVICE } from '../../../src/proxy/workload-api/service-definition.js';
import { toStruct } from '../../../src/proxy/workload-api/snapshots.js';
import { JWT_SVID_REQUEST, STRUCT, VALIDATE_JWT_SVID_REQUEST } from '../../../src/proxy/workload-api/workload-messages.js';

// protobufjs reading the spec's .proto, as any SPIFFE library's client would.
const reference = protoLoader.loadSync(workloadProtoPath(), { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true })
  .SpiffeWorkloadAPI as unknown as Record<string, protoLoader.MethodDefinition<object, object>>;
const ours = WORKLOAD_API_SERVICE as Record<string, (typeof WORKLOAD_API_SERVICE)[keyof typeof WORKLOAD_API_SERVICE]>;

/** protobufjs's output in our shape: no virtual `kind` oneof field, NullValue as its number. */
function normalized(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return Buffer.from(v);
  if (Array.isArray(v)) return v.map(normalized);
  if (v === 'NULL_VALUE') return 0;
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'kind').map(([k, x]) => [k, normalized(x)]));
}

function refused(reason: string) {
  return (e: unknown) => (e as { code?: string }).code === 'MG_WORKLOAD_API_MESSAGE' && (e as { reason?: string }).reason === reason;
}

const text = fc.string({ unit: 'binary', maxLength: 40 });
const bytes = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b));
const key = text.filter((k) => k !== '__proto__');
const bundleMap = fc.dictionary(key, bytes, { maxKeys: 3 });
const claims = fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }) as fc.Arbitrary<Record<string, unknown>>;

const responses: Record<string, fc.Arbitrary<Message>> = {
  FetchX509SVID: fc.record({
    svids: fc.array(fc.record({ spiffe_id: text, x509_svid: bytes, x509_svid_key: bytes, bundle: bytes, hint: text }), { maxLength: 3 }),
    crl: fc.array(bytes, { maxLength: 2 }),
    federated_bundles: bundleMap,
  }),
  FetchX509Bundles: fc.record({ crl: fc.array(bytes, { maxLength: 2 }), bundles: bundleMap }),
  FetchJWTSVID: fc.record({ svids: fc.array(fc.record({ spiffe_id: text, svid: text, hint: text }), { maxLength: 3 }) }),
  FetchJWTBundles: fc.record({ bundles: bundleMap }),
  ValidateJWTSVID: fc.record({ spiffe_id: text, claims: claims.map(toStruct) }),
};

describe('Workload API message codec', () => {
  for (const [name, arbitrary] of Object.entries(responses)) {
    it(`encodes ${name} responses that protobufjs reads back field for field, and reads protobufjs's encoding the same`, () => {
      fc.assert(fc.property(arbitrary, (message) => {
        const wire = ours[name]!.responseSerialize(message);
        assert.deepEqual(normalized(reference[name]!.responseDeserialize(wire)), normalized(message));
        const theirs = reference[name]!.responseSerialize(message);
        assert.deepEqual(ours[name]!.responseDeserialize(theirs), normalized(reference[name]!.responseDeserialize(theirs)));
      }), { numRuns: 60 });
    });
  }

  it('decodes FetchJWTSVID and ValidateJWTSVID requests as protobufjs encodes them, defaults included', () => {
    fc.assert(fc.property(fc.array(text, { maxLength: 4 }), text, text, (audience, id, svid) => {
      assert.deepEqual(ours.FetchJWTSVID!.requestDeserialize(reference.FetchJWTSVID!.requestSerialize({ audience, spiffe_id: id })), { audience, spiffe_id: id });
      assert.deepEqual(ours.ValidateJWTSVID!.requestDeserialize(reference.ValidateJWTSVID!.requestSerialize({ audience: id, svid })), { audience: id, svid });
      assert.deepEqual(reference.FetchJWTSVID!.requestDeserialize(ours.FetchJWTSVID!.requestSerialize({ audience, spiffe_id: id })), { audience, spiffe_id: id });
    }), { numRuns: 100 });
    assert.deepEqual(decodeMessage(JWT_SVID_REQUEST, Buffer.alloc(0)), { audience: [], spiffe_id: '' });
  });

  it('keeps JWT claims of any JSON shape through google.protobuf.Struct, nulls and -0 included', () => {
    fc.assert(fc.property(claims, (c) => {
      const struct = toStruct(c);
      assert.deepEqual(decodeMessage(STRUCT, encodeMessage(STRUCT, struct)), struct);
    }), { numRuns: 100 });
    const edge = toStruct({ n: null, z: -0, f: false, e: '', l: [], o: {} });
    const read = reference.ValidateJWTSVID!.responseDeserialize(ours.ValidateJWTSVID!.responseSerialize({ spiffe_id: 'x', claims: edge }));
    assert.deepEqual(normalized(read), { spiffe_id: 'x', claims: edge });
  });

  it('skips fields it does not know, of every wire type (a newer client stays compatible)', () => {
    const known = encodeMessage(VALIDATE_JWT_SVID_REQUEST, { audience: 'orders', svid: 'a.b.c' });
    // field 9 varint 300, field 10 fixed64, field 11 length-delimited "xy", field 12 fixed32
    const unknown = Buffer.from([0x48, 0xac, 0x02, 0x51, 1, 2, 3, 4, 5, 6, 7, 8, 0x5a, 2, 0x78, 0x79, 0x65, 1, 2, 3, 4]);
    assert.deepEqual(decodeMessage(VALIDATE_JWT_SVID_REQUEST, Buffer.concat([unknown, known, unknown])), { audience: 'orders', svid: 'a.b.c' });
  });

  it('refuses a message cut anywhere inside a field with MG_WORKLOAD_API_MESSAGE, never reading past its end', () => {
    const whole = encodeMessage(JWT_SVID_REQUEST, { audience: ['billing', 'orders'], spiffe_id: 'spiffe://cluster.local/ns/a/sa/b' });
    const boundaries = new Set([0, 9, 17, whole.length]);
    for (let cut = 0; cut <= whole.length; cut++) {
      const part = whole.subarray(0, cut);
      if (boundaries.has(cut)) assert.doesNotThrow(() => decodeMessage(JWT_SVID_REQUEST, part));
      else assert.throws(() => decodeMessage(JWT_SVID_REQUEST, part), refused('truncated'), `cut at ${cut}`);
    }
    // A length that claims more than the message holds.
    assert.throws(() => decodeMessage(JWT_SVID_REQUEST, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x61])), refused('truncated'));
  });

  it('refuses malformed keys and values: long varints, field 0, groups, wrong wire types, invalid UTF-8', () => {
    assert.throws(() => decodeMessage(JWT_SVID_REQUEST, Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])), refused('bad-varint'));
    assert.throws(() => decodeMessage(JWT_SVID_REQUEST, Buffer.from([0x02, 0x00])), refused('bad-field-number'));
    assert.throws(() => decodeMessage(JWT_SVID_REQUEST, Buffer.from([0x0b, 0x0c])), refused('bad-wire-type'), 'start group');
    assert.throws(() => decodeMessage(JWT_SVID_REQUEST, Buffer.from([0x08, 0x01])), refused('bad-wire-type'), 'varint where a string is declared');
    assert.throws(() => decodeMessage(JWT_SVID_REQUEST, Buffer.from([0x12, 0x02, 0xc3, 0x28])), refused('bad-utf8'));
    assert.throws(() => decodeMessage(JWT_SVID_REQUEST, Buffer.from([0x12, 0x03, 0xed, 0xa0, 0x80])), refused('bad-utf8'), 'encoded lone surrogate');
  });

  it(`refuses Struct values nested deeper than ${MAX_MESSAGE_DEPTH} levels instead of exhausting the stack`, () => {
    // Value{list_value: ListValue{values: [Value{…}]}} nested 10,000 times, built inside out.
    let value: Buffer = Buffer.from([0x08, 0x00]);
    for (let i = 0; i < 10_000; i++) {
      const list = Buffer.concat([Buffer.from([0x0a]), lengthOf(value), value]);
      value = Buffer.concat([Buffer.from([0x32]), lengthOf(list), list]);
    }
    const entry = Buffer.concat([Buffer.from([0x0a, 0x01, 0x61, 0x12]), lengthOf(value), value]);
    assert.throws(() => decodeMessage(STRUCT, Buffer.concat([Buffer.from([0x0a]), lengthOf(entry), entry])), refused('too-deep'));
    assert.throws(() => encodeMessage(STRUCT, deepStruct(MAX_MESSAGE_DEPTH + 5)), refused('too-deep'));
  });

  it('keeps a __proto__ map key as data: no prototype is touched', () => {
    const entry = Buffer.concat([Buffer.from([0x0a, 9]), Buffer.from('__proto__'), Buffer.from([0x12, 2, 0x6f, 0x6b])]);
    const decoded = ours.FetchJWTBundles!.responseDeserialize(Buffer.concat([Buffer.from([0x0a, entry.length]), entry])) as { bundles: Record<string, Buffer> };
    assert.deepEqual(Object.keys(decoded.bundles), ['__proto__']);
    assert.equal(Object.getPrototypeOf(decoded.bundles), Object.prototype);
    assert.equal(({} as Record<string, unknown>).ok, undefined);
  });

  it('throws TypeError when our own code hands it a value of the wrong type', () => {
    assert.throws(() => encodeMessage(JWT_SVID_REQUEST, { audience: 'not-an-array' }), TypeError);
    assert.throws(() => encodeMessage(VALIDATE_JWT_SVID_REQUEST, { audience: 7 }), TypeError);
  });
});

function lengthOf(b: Buffer): Buffer {
  const out: number[] = [];
  let n = b.length;
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}

function deepStruct(levels: number): Message {
  let s: Message = { fields: {} };
  for (let i = 0; i < levels; i++) s = { fields: { a: { structValue: s } } };
  return s;
}
