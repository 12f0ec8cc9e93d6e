/**
 * The narrow view of the control plane's CA that the workload side needs. The
 * gRPC client of `src/control/ca-api/` implements it once it lands; until then
 * `createInProcessCaApi` (real CA library, no network) stands in. Swapping one
 * for the other is the only change the identity client and the Workload API see.
 */
import type { JSONWebKeySet } from 'jose';
import type { Evidence } from '../../identity/attestors/index.js';

/** How the proxy proves who it is the first time: an attestor's name and its evidence (never logged). */
export interface AttestationToken {
  /** `join`, `local` or `k8s-psat`. */
  type: string;
  evidence: Evidence;
}

/**
 * The credentials a call is made with over mTLS: the CA reads the caller's SPIFFE ID
 * from the verified client certificate, never from the request.
 */
export interface MtlsCredentials {
  certChainPem: string;
  keyPem: string;
}

/** What the CA returns for a CSR: the chain it signed and the bundle to verify peers with. */
export interface SignedSvid {
  /** `spiffe://cluster.local/ns/default/sa/web`: derived by the CA from the attestation. */
  spiffeId: string;
  /** Leaf first, then intermediates. */
  certChainPem: string;
  /** The trust domain's roots (and federated ones) at signing time. */
  bundle: CaBundle;
}

/** The trust bundle as the CA serves it. */
export interface CaBundle {
  /** `cluster.local` */
  trustDomain: string;
  /** Roots of our own trust domain, PEM. During a root rotation, old and new together. */
  x509RootsPem: string;
  /** Roots of federated trust domains, PEM, keyed by trust domain name. */
  federatedRootsPem: Record<string, string>;
  /** JWT-SVID signing keys of our trust domain (public), as a JWK Set. */
  jwtKeys: JSONWebKeySet;
  /** Increases with every change (SPIFFE bundle `spiffe_sequence`). */
  sequence: number;
}

/**
 * The CA operations a workload's proxy calls. Errors are `MeshguardError`s with the CA's
 * code; a refusal that will not change on retry has `retryable: false` on the error.
 */
export interface CaApi {
  /** First issue: the attestation proves the identity; the CSR gives only the public key. */
  sign(request: { csrDer: Uint8Array; attestation: AttestationToken }): Promise<SignedSvid>;
  /** Renewal over mTLS with the still-valid SVID; the ID is the one of `presented`. */
  renew(request: { csrDer: Uint8Array; presented: MtlsCredentials }): Promise<SignedSvid>;
  fetchBundle(): Promise<CaBundle>;
  /** A JWT-SVID for the caller's own ID (the one of `presented`), for these audiences. */
  mintJwtSvid(request: { audiences: string[]; presented: MtlsCredentials }): Promise<string>;
}
