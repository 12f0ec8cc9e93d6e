/**
 * Names shared by logs, metrics and `meshguard check`, as Istio's builder
 * generates them, and the response shapes users know from Envoy's RBAC filter.
 */

/**
 * Stable name of one rule.
 *
 * @example
 * ruleName('istioinaction', 'allow-catalog', 0) // 'ns[istioinaction]-policy[allow-catalog]-rule[0]'
 */
export function ruleName(namespace: string, policy: string, rule: number): string {
  return `ns[${namespace}]-policy[${policy}]-rule[${rule}]`;
}

/** Body of a 403 written by the RBAC filter. */
export const RBAC_DENIED_BODY = 'RBAC: access denied';

/**
 * Envoy's access-log flag for a denial; `none` when the default deny decided.
 *
 * @example
 * rbacAccessLogFlag('ns[a]-policy[b]-rule[0]') // 'rbac_access_denied_matched_policy[ns[a]-policy[b]-rule[0]]'
 */
export function rbacAccessLogFlag(rule: string | null): string {
  return `rbac_access_denied_matched_policy[${rule ?? 'none'}]`;
}
