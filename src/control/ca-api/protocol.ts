/**
 * The CA API: what proxies, the SDK and `meshguard ca sign` send to the control
 * plane's CA, and what it answers. gRPC (`@grpc/grpc-js`) over TLS, service
 * `meshguard.ca.v1.CertificateAuthority`, four unary methods:
 *
 * | method        | transport                      | identity of the caller                  |
 * |---------------|--------------------------------|-----------------------------------------|
 * | `Sign`        | TLS, server authenticated      | the attestation in the request          |
 * | `Renew`       | mTLS with the current SVID     | the peer certificate's URI SAN          |
 * | `FetchBundle` | TLS (client cert optional)     | none needed                             |
 * | `MintJwtSvid` | mTLS with the current SVID     | the peer certificate's URI SAN          |
 *
 * Clients trust `<dataDir>/ca/root-cert.pem` (the trust bundle) on first contact.
 * The SPIFFE ID is always derived by the CA (attestation, or the verified peer
 * certificate); a CSR only contributes its public key.
 *
 * Messages are JSON (UTF-8) rather than protobuf: the service is ours alone (the
 * SPIFFE Workload API the proxy serves to apps is the protobuf one), `dist/` is
 * built by `tsc` only so a `.proto` would need shipping beside it, and a 1 KB JSON
 * message costs microseconds against a signature's ~50 µs. Binary blobs (CSR DER)
 * travel as base64. Refusals carry the stable `MG_*` code in the `mg-code` trailer;
 * `caClient` turns them back into a `CaApiError` with that code.
 *
 * @example
 *   const ca = caClient({ address: state.caAddress, rootPem });
 *   const svid = await ca.sign({ csrPem, attestation: { type: 'join', token } });
 *   const next = await caClient({ address, identity: { chainPem: svid.chainPem, keyPem, rootPem: svid.bundlePem } }).renew({ csrPem });
 */
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';

export const CA_SERVICE_NAME = 'meshguard.ca.v1.CertificateAuthority';
/** Trailer metadata key holding the refusal's stable code (`MG_ATTEST_TOKEN_USED`, `MG_CSR_SAN_MISMATCH`, …). */
export const ERROR_CODE_METADATA_KEY = 'mg-code';
/** Largest request the server reads: a CSR is limited to 64 KiB DER, base64 and JSON add about a third. */
export const MAX_REQUEST_BYTES = 128 * 1024;

/** How the caller proves who it is on first contact. */
export type AttestationType = 'join' | 'local' | 'k8s-psat';

export interface AttestationEvidence {
  type: AttestationType;
  /** The join/local token secret, or the projected service-account token. Never logged. */
  token: string;
  /** Optional claims: when given they must equal what the token is bound to. */
  namespace?: string;
  serviceAccount?: string;
}

/** A CSR is given as PEM (`-----BEGIN CERTIFICATE REQUEST-----`) or as base64 DER: exactly one. */
export interface CsrInput {
  csrPem?: string;
  /** Base64 of the DER PKCS#10 request. */
  csrDer?: string;
  /** Asked lifetime; capped by the CA (default 24 h). */
  ttlSeconds?: number;
}

export interface SignRequest extends CsrInput {
  attestation: AttestationEvidence;
}

export type RenewRequest = CsrInput;

/** An issued X.509-SVID. */
export interface SvidResponse {
  spiffeId: string;
  /** PEM, leaf first, then intermediates, then the root it chains to. */
  chainPem: string;
  /** PEM of every root the trust domain trusts now (two during a rotation). */
  bundlePem: string;
  /** RFC 3339. */
  notAfter: string;
  /** Hex serial of the leaf. */
  serial: string;
}

export type FetchBundleRequest = Record<string, never>;

export interface BundleResponse {
  trustDomain: string;
  bundlePem: string;
  /** The SPIFFE bundle document (JWK Set with `x509-svid` and `jwt-svid` keys), as served for federation. */
  bundleJson: string;
  sequence: number;
}

export interface MintJwtSvidRequest {
  /** Required, non-empty (a JWT-SVID without an audience is replayable anywhere). */
  audience: string[];
  ttlSeconds?: number;
}

export interface JwtSvidResponse {
  token: string;
  spiffeId: string;
  /** RFC 3339. */
  expiresAt: string;
}

/** The request/response pair of each method, for typed handlers and clients. */
export interface CaMethods {
  Sign: [SignRequest, SvidResponse];
  Renew: [RenewRequest, SvidResponse];
  FetchBundle: [FetchBundleRequest, BundleResponse];
  MintJwtSvid: [MintJwtSvidRequest, JwtSvidResponse];
}

export type CaMethodName = keyof CaMethods;

const serialize = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');
/** Parses JSON; the server validates shapes strictly after this (`ca-service/request-schemas.ts`). */
const deserialize = (bytes: Buffer): unknown => JSON.parse(bytes.toString('utf8'));

function unary<M extends CaMethodName>(name: M): MethodDefinition<CaMethods[M][0], CaMethods[M][1]> {
  return {
    path: `/${CA_SERVICE_NAME}/${name}`,
    requestStream: false,
    responseStream: false,
    requestSerialize: serialize,
    requestDeserialize: deserialize as (b: Buffer) => CaMethods[M][0],
    responseSerialize: serialize,
    responseDeserialize: deserialize as (b: Buffer) => CaMethods[M][1],
  };
}

/** The grpc-js service definition, shared by the server (`addService`) and the client (`makeGenericClientConstructor`). */
export const caServiceDefinition = {
  Sign: unary('Sign'),
  Renew: unary('Renew'),
  FetchBundle: unary('FetchBundle'),
  MintJwtSvid: unary('MintJwtSvid'),
} satisfies ServiceDefinition;

/** Reads `csrPem`/`csrDer` as DER bytes (no parsing; the CA parses strictly). */
export function csrBytes(input: CsrInput): Buffer {
  if (input.csrDer !== undefined) return Buffer.from(input.csrDer, 'base64');
  const m = /-----BEGIN (?:NEW )?CERTIFICATE REQUEST-----([A-Za-z0-9+/=\s]+)-----END (?:NEW )?CERTIFICATE REQUEST-----/.exec(input.csrPem ?? '');
  return m ? Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64') : Buffer.alloc(0);
}
