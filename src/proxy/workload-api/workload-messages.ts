/**
 * `workload.proto`'s messages, and `google.protobuf.Struct` for JWT claims, as schemas
 * for `message-codec.ts`. Field numbers and names are the .proto's (snake_case, as
 * proto-loader's `keepCase` gives them); Struct's are camelCase, as protobufjs names
 * the well-known types. Keep in step with `workload.proto`: the tests compare both.
 */
import type { MessageSpec } from './message-codec.js';

/** `X509SVIDRequest`, `X509BundlesRequest`, `JWTBundlesRequest`: no fields yet. */
export const EMPTY_REQUEST: MessageSpec = { name: 'EmptyRequest', fields: [] };

const X509_SVID: MessageSpec = {
  name: 'X509SVID',
  fields: [
    { no: 1, name: 'spiffe_id', type: 'string' },
    { no: 2, name: 'x509_svid', type: 'bytes' },
    { no: 3, name: 'x509_svid_key', type: 'bytes' },
    { no: 4, name: 'bundle', type: 'bytes' },
    { no: 5, name: 'hint', type: 'string' },
  ],
};

export const X509_SVID_RESPONSE: MessageSpec = {
  name: 'X509SVIDResponse',
  fields: [
    { no: 1, name: 'svids', type: { message: () => X509_SVID }, repeated: true },
    { no: 2, name: 'crl', type: 'bytes', repeated: true },
    { no: 3, name: 'federated_bundles', type: 'bytes', map: true },
  ],
};

export const X509_BUNDLES_RESPONSE: MessageSpec = {
  name: 'X509BundlesResponse',
  fields: [
    { no: 1, name: 'crl', type: 'bytes', repeated: true },
    { no: 2, name: 'bundles', type: 'bytes', map: true },
  ],
};

export const JWT_SVID_REQUEST: MessageSpec = {
  name: 'JWTSVIDRequest',
  fields: [
    { no: 1, name: 'audience', type: 'string', repeated: true },
    { no: 2, name: 'spiffe_id', type: 'string' },
  ],
};

const JWT_SVID: MessageSpec = {
  name: 'JWTSVID',
  fields: [
    { no: 1, name: 'spiffe_id', type: 'string' },
    { no: 2, name: 'svid', type: 'string' },
    { no: 3, name: 'hint', type: 'string' },
  ],
};

export const JWT_SVID_RESPONSE: MessageSpec = {
  name: 'JWTSVIDResponse',
  fields: [{ no: 1, name: 'svids', type: { message: () => JWT_SVID }, repeated: true }],
};

export const JWT_BUNDLES_RESPONSE: MessageSpec = {
  name: 'JWTBundlesResponse',
  fields: [{ no: 1, name: 'bundles', type: 'bytes', map: true }],
};

export const VALIDATE_JWT_SVID_REQUEST: MessageSpec = {
  name: 'ValidateJWTSVIDRequest',
  fields: [
    { no: 1, name: 'audience', type: 'string' },
    { no: 2, name: 'svid', type: 'string' },
  ],
};

// google/protobuf/struct.proto: Struct { map<string, Value> fields = 1 }, Value { oneof kind }, ListValue.
export const STRUCT: MessageSpec = {
  name: 'google.protobuf.Struct',
  fields: [{ no: 1, name: 'fields', type: { message: () => VALUE }, map: true }],
};

/** `null_value` is the enum NullValue, whose only value NULL_VALUE is 0. */
export const VALUE: MessageSpec = {
  name: 'google.protobuf.Value',
  fields: [
    { no: 1, name: 'nullValue', type: 'enum', oneof: true },
    { no: 2, name: 'numberValue', type: 'double', oneof: true },
    { no: 3, name: 'stringValue', type: 'string', oneof: true },
    { no: 4, name: 'boolValue', type: 'bool', oneof: true },
    { no: 5, name: 'structValue', type: { message: () => STRUCT }, oneof: true },
    { no: 6, name: 'listValue', type: { message: () => LIST_VALUE }, oneof: true },
  ],
};

const LIST_VALUE: MessageSpec = {
  name: 'google.protobuf.ListValue',
  fields: [{ no: 1, name: 'values', type: { message: () => VALUE }, repeated: true }],
};

export const VALIDATE_JWT_SVID_RESPONSE: MessageSpec = {
  name: 'ValidateJWTSVIDResponse',
  fields: [
    { no: 1, name: 'spiffe_id', type: 'string' },
    { no: 2, name: 'claims', type: { message: () => STRUCT } },
  ],
};
