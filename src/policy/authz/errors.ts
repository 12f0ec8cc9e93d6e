/**
 * Problems found while compiling AuthorizationPolicies. They never crash the
 * compiler: each is recorded with its effect, chosen to fail closed as Istio's
 * builder does (an ALLOW rule that cannot be built is dropped; a DENY, AUDIT or
 * CUSTOM condition that cannot be built is ignored, so that policy matches more).
 */
import { MeshguardError } from '../../errors.js';

export const AUTHZ_ERROR_CODES = {
  /** A field has the wrong shape (not a list, not a string, empty source…). */
  invalidPolicy: 'MG_AUTHZ_INVALID_POLICY',
  /** A `when` key Istio does not accept. */
  unknownCondition: 'MG_AUTHZ_UNKNOWN_CONDITION',
  /** A value that cannot be parsed (CIDR, port, path template, …). */
  invalidValue: 'MG_AUTHZ_INVALID_VALUE',
  /** An HTTP-only field on TCP traffic. */
  httpOnlyOnTcp: 'MG_AUTHZ_HTTP_ONLY_ON_TCP',
  /** A field Istio accepts but meshguard cannot evaluate (`experimental.envoy.filters.*`). */
  unsupported: 'MG_AUTHZ_UNSUPPORTED',
  /** A CUSTOM policy names a provider missing from `meshConfig.extensionProviders`. */
  unknownProvider: 'MG_AUTHZ_UNKNOWN_PROVIDER',
} as const;

export type AuthzErrorCode = (typeof AUTHZ_ERROR_CODES)[keyof typeof AUTHZ_ERROR_CODES];

/** What a problem does to the decision. */
export type AuthzIssueEffect = 'rule-dropped' | 'condition-ignored' | 'value-ignored' | 'denies-all' | 'none';

export class AuthzPolicyError extends MeshguardError {
  /** `ns/name` of the policy. */
  readonly policy: string;
  /** Field path inside the policy, `spec.rules[0].from[1].source.ipBlocks[0]`. */
  readonly field: string;
  readonly effect: AuthzIssueEffect;
  /** Only for protocol-dependent problems. */
  readonly protocol: 'http' | 'tcp' | undefined;

  constructor(code: AuthzErrorCode, policy: string, field: string, message: string, effect: AuthzIssueEffect, protocol?: 'http' | 'tcp') {
    super(code, `${policy}: ${field}: ${message}`);
    this.policy = policy;
    this.field = field;
    this.effect = effect;
    this.protocol = protocol;
  }
}
