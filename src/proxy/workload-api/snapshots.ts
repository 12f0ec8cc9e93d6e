/**
 * The Workload API's messages built from the app's identity and the bundle, as plain
 * objects in the proto's field names. Every message is a full snapshot (SPIFFE Workload
 * API §4.3): the app replaces what it had, it never merges.
 */
import { createPrivateKey } from 'node:crypto';
import { certificatesFromPem } from '../../identity/pem.js';
import { trustDomainId, type TrustDomain } from '../../identity/spiffe-id.js';
import type { CaBundle } from '../identity/ca-api.js';
import type { ProxyIdentity } from '../model.js';

/** The SPIFFE ID of a trust domain, the key of every bundle map: `spiffe://cluster.local`. */
const tdKey = (td: string) => trustDomainId(td as TrustDomain);

/** DER certificates concatenated, as the proto's `bytes` bundle and chain fields carry them. */
export function concatDer(pem: string): Buffer {
  return Buffer.concat(certificatesFromPem(pem));
}

function federated(bundle: CaBundle): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [td, pem] of Object.entries(bundle.federatedRootsPem)) out[tdKey(td)] = concatDer(pem);
  return out;
}

/** `X509SVIDResponse` for the app: its own chain and PKCS#8 key, our roots, federated roots. */
export function x509SvidResponse(app: ProxyIdentity, bundle: CaBundle) {
  return {
    svids: [{
      spiffe_id: app.spiffeId,
      x509_svid: concatDer(app.certChainPem),
      x509_svid_key: createPrivateKey(app.keyPem).export({ format: 'der', type: 'pkcs8' }),
      bundle: concatDer(bundle.x509RootsPem),
      hint: '',
    }],
    crl: [],
    federated_bundles: federated(bundle),
  };
}

/** `X509BundlesResponse`: our trust domain's roots and every federated one. */
export function x509BundlesResponse(bundle: CaBundle) {
  return { crl: [], bundles: { [tdKey(bundle.trustDomain)]: concatDer(bundle.x509RootsPem), ...federated(bundle) } };
}

/** `JWTBundlesResponse`: our JWT-SVID keys as a JWK Set document (only keys for JWT-SVIDs). */
export function jwtBundlesResponse(bundle: CaBundle) {
  return { bundles: { [tdKey(bundle.trustDomain)]: Buffer.from(JSON.stringify(bundle.jwtKeys)) } };
}

type StructValue =
  | { nullValue: 0 } | { numberValue: number } | { stringValue: string } | { boolValue: boolean }
  | { structValue: { fields: Record<string, StructValue> } } | { listValue: { values: StructValue[] } };

/**
 * A JSON value as `google.protobuf.Value`, in `workload-messages.ts`'s field names
 * (camelCase, as protobufjs names the well-known types). NULL_VALUE is the enum's 0.
 */
function toValue(v: unknown): StructValue {
  if (v === null || v === undefined) return { nullValue: 0 };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  return { structValue: toStruct(v as Record<string, unknown>) };
}

/** JWT claims as `google.protobuf.Struct`. @example toStruct({ sub: 'spiffe://td/x' }) */
export function toStruct(obj: Record<string, unknown>): { fields: Record<string, StructValue> } {
  const fields: Record<string, StructValue> = {};
  for (const [k, v] of Object.entries(obj)) fields[k] = toValue(v);
  return { fields };
}
