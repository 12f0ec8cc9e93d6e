/**
 * Node attestation: how a proxy proves which workload it runs for before the CA
 * signs anything. An attestor turns evidence (a token) into the namespace and
 * service account it vouches for, plus selectors that registration entries
 * match on. Built-ins are listed once in `index.ts`.
 */
import { MeshguardError } from '../../errors.js';

/** What an attestor vouches for. The SPIFFE ID is derived from this by the control plane, never by the caller. */
export interface Attestation {
  namespace: string;
  serviceAccount: string;
  /** `type:value`, e.g. `k8s:ns:payments`, `meshguard:token:<id>`. */
  selectors: string[];
  /** The token that was redeemed, when the attestor is token-based: revoking it stops renewals. */
  tokenId?: string;
}

/**
 * Evidence as the proxy sends it. `namespace`/`serviceAccount` are optional
 * claims: when given, they must equal what the token is bound to.
 */
export interface Evidence {
  token: string;
  namespace?: string;
  serviceAccount?: string;
}

export interface Attestor {
  /** Stable name: `join`, `local`, `k8s-psat`. */
  readonly type: string;
  /** Resolves the attested identity, or rejects with an `AttestationError`. */
  attest(evidence: Evidence): Promise<Attestation>;
}

export type AttestationErrorCode =
  | 'MG_ATTEST_MALFORMED'
  | 'MG_ATTEST_TOKEN_UNKNOWN'
  | 'MG_ATTEST_TOKEN_USED'
  | 'MG_ATTEST_TOKEN_EXPIRED'
  | 'MG_ATTEST_TOKEN_REVOKED'
  | 'MG_ATTEST_WRONG_KIND'
  | 'MG_ATTEST_IDENTITY_MISMATCH'
  | 'MG_ATTEST_UNAUTHENTICATED'
  | 'MG_ATTEST_WRONG_AUDIENCE'
  | 'MG_ATTEST_NOT_SERVICE_ACCOUNT'
  | 'MG_ATTEST_UNAVAILABLE'
  | 'MG_ATTEST_UNKNOWN_ATTESTOR';

/** Why attestation failed. Messages never contain the token. */
export class AttestationError extends MeshguardError {
  declare readonly code: AttestationErrorCode;
  constructor(code: AttestationErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

// Kubernetes' rules: a namespace is a DNS-1123 label, a service account name a DNS-1123 subdomain.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `namespace`/`serviceAccount` are not valid names, or `undefined` when they are. */
export function invalidWorkloadName(namespace: string, serviceAccount: string): string | undefined {
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) return `namespace "${namespace}" is not a DNS-1123 label`;
  if (serviceAccount.length > 253 || !DNS_SUBDOMAIN.test(serviceAccount)) {
    return `service account "${serviceAccount}" is not a DNS-1123 subdomain`;
  }
  return undefined;
}

/** Refuses evidence that claims an identity other than the one attested ("token for another identity"). */
export function checkClaimedIdentity(evidence: Evidence, bound: { namespace: string; serviceAccount: string }): void {
  const nsOk = evidence.namespace === undefined || evidence.namespace === bound.namespace;
  const saOk = evidence.serviceAccount === undefined || evidence.serviceAccount === bound.serviceAccount;
  if (!nsOk || !saOk) {
    throw new AttestationError('MG_ATTEST_IDENTITY_MISMATCH',
      `the token is bound to ns/${bound.namespace}/sa/${bound.serviceAccount}, not ns/${evidence.namespace ?? bound.namespace}/sa/${evidence.serviceAccount ?? bound.serviceAccount}`);
  }
}
