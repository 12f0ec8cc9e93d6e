// The SPIFFE trust bundle document (SPIFFE Trust Domain and Bundle spec §4): a JWK Set whose
// keys carry `use: x509-svid` (a root in `x5c`) or `use: jwt-svid` (a `kid`'d signing key).
import { X509Certificate, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JSONWebKeySet, JWK } from 'jose';
import { IdentityError, IdentityErrorCode } from './errors.js';
import type { DerCertificate } from './ca/certificate.js';

/** Peers re-fetch a federated bundle this often unless the bundle says otherwise. */
export const DEFAULT_REFRESH_HINT_SECONDS = 5 * 60;
// Bundles are small (a few roots and keys); a huge one is an attack or a mistake.
const MAX_BUNDLE_BYTES = 1024 * 1024;

export interface BundleJwtKey {
  kid: string;
  publicKey: KeyObject;
}

/** A trust domain's bundle as data. */
export interface TrustBundle {
  x509Roots: DerCertificate[];
  jwtKeys: BundleJwtKey[];
  sequence?: number;
  refreshHintSeconds?: number;
}

/** The JSON document, as served at the federation endpoint. */
export interface SpiffeBundleDocument {
  keys: Array<JsonWebKey & { use: string; kid?: string; x5c?: string[] }>;
  spiffe_sequence?: number;
  spiffe_refresh_hint?: number;
}

function invalid(reason: string, message: string): IdentityError {
  return new IdentityError(IdentityErrorCode.BUNDLE_INVALID, `SPIFFE bundle rejected: ${message}`, { reason });
}

/**
 * Builds the bundle document.
 * @example JSON.stringify(buildBundleDocument({ x509Roots: ca.roots, jwtKeys: [{ kid, publicKey }], sequence: 3 }))
 */
export function buildBundleDocument(bundle: TrustBundle): SpiffeBundleDocument {
  const keys: SpiffeBundleDocument['keys'] = [];
  for (const der of bundle.x509Roots) {
    const jwk = new X509Certificate(der).publicKey.export({ format: 'jwk' });
    keys.push({ use: 'x509-svid', ...jwk, x5c: [Buffer.from(der).toString('base64')] });
  }
  for (const k of bundle.jwtKeys) {
    keys.push({ use: 'jwt-svid', kid: k.kid, ...k.publicKey.export({ format: 'jwk' }) });
  }
  return {
    keys,
    ...(bundle.sequence === undefined ? {} : { spiffe_sequence: bundle.sequence }),
    spiffe_refresh_hint: bundle.refreshHintSeconds ?? DEFAULT_REFRESH_HINT_SECONDS,
  };
}

/**
 * Parses a bundle document strictly: each `x509-svid` key has exactly one `x5c` certificate
 * whose key equals the JWK's; each `jwt-svid` key has a unique `kid`. Keys of unknown `use`
 * are skipped, as the spec says.
 * @example const { x509Roots, jwtKeys } = parseBundleDocument(text);
 */
export function parseBundleDocument(text: string): TrustBundle {
  if (text.length > MAX_BUNDLE_BYTES) throw invalid('too-large', 'document is over 1 MiB');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalid('json', 'not JSON');
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { keys?: unknown }).keys)) throw invalid('keys', '"keys" must be an array');
  const d = doc as { keys: unknown[]; spiffe_sequence?: unknown; spiffe_refresh_hint?: unknown };
  const out: TrustBundle = { x509Roots: [], jwtKeys: [] };
  if (d.spiffe_sequence !== undefined) out.sequence = nonNegativeInt(d.spiffe_sequence, 'spiffe_sequence');
  if (d.spiffe_refresh_hint !== undefined) out.refreshHintSeconds = nonNegativeInt(d.spiffe_refresh_hint, 'spiffe_refresh_hint');
  const kids = new Set<string>();
  d.keys.forEach((raw, i) => {
    if (typeof raw !== 'object' || raw === null) throw invalid('key', `keys[${i}] is not an object`);
    const key = raw as Record<string, unknown>;
    if (key.use === 'x509-svid') out.x509Roots.push(readX509Key(key, i));
    else if (key.use === 'jwt-svid') {
      const k = readJwtKey(key, i);
      if (kids.has(k.kid)) throw invalid('duplicate-kid', `keys[${i}] repeats kid "${k.kid}"`);
      kids.add(k.kid);
      out.jwtKeys.push(k);
    }
  });
  return out;
}

function nonNegativeInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalid(field, `${field} must be a non-negative integer`);
  return v;
}

function importJwk(key: Record<string, unknown>, i: number): KeyObject {
  const { use: _use, x5c: _x5c, kid: _kid, ...jwk } = key;
  if (jwk.d !== undefined) throw invalid('private-key', `keys[${i}] carries private key material`);
  try {
    return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    throw invalid('key', `keys[${i}] is not a valid public JWK`);
  }
}

function readX509Key(key: Record<string, unknown>, i: number): DerCertificate {
  const x5c = key.x5c;
  if (!Array.isArray(x5c) || x5c.length !== 1 || typeof x5c[0] !== 'string') throw invalid('x5c', `keys[${i}] (x509-svid) needs exactly one x5c certificate`);
  const der = Buffer.from(x5c[0], 'base64');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    throw invalid('x5c', `keys[${i}] x5c is not a certificate`);
  }
  if (!cert.publicKey.equals(importJwk(key, i))) throw invalid('x5c-key-mismatch', `keys[${i}] JWK does not match its x5c certificate`);
  return der as DerCertificate;
}

function readJwtKey(key: Record<string, unknown>, i: number): BundleJwtKey {
  if (typeof key.kid !== 'string' || key.kid.length === 0) throw invalid('kid', `keys[${i}] (jwt-svid) needs a kid`);
  return { kid: key.kid, publicKey: importJwk(key, i) };
}

/**
 * The bundle's JWT keys as a JWK Set for `validateJwtSvid` (jose's local JWKS).
 * @example validateJwtSvid(token, { keys: jwtKeySet(bundle), … })
 */
export function jwtKeySet(bundle: Pick<TrustBundle, 'jwtKeys'>): JSONWebKeySet {
  return { keys: bundle.jwtKeys.map((k) => ({ ...(k.publicKey.export({ format: 'jwk' }) as JWK), kid: k.kid, use: 'sig' })) };
}
