/**
 * Which RequestAuthentications reach a workload, and the jwtRules they add up
 * to. Istio gives every rule of every applicable policy its own Envoy provider
 * and ORs them (`requires_any` of the providers plus `allow_missing`), so the
 * rules are simply concatenated, policies oldest first.
 */
import type { MeshConfig, JwtRule, RequestAuthentication } from '../../config/kinds.js';
import { compareByAge, policyApplies, type WorkloadRef } from '../workload.js';

/**
 * The RequestAuthentications that apply to `workload` (root-namespace ones
 * mesh-wide, others in their namespace; selector or targetRefs), oldest first.
 *
 * @example
 * requestAuthenticationsFor(all, DEFAULT_MESH_CONFIG, { namespace: 'istio-system', labels: { app: 'istio-ingressgateway' } })
 */
export function requestAuthenticationsFor(
  policies: readonly RequestAuthentication[],
  mesh: MeshConfig,
  workload: WorkloadRef,
): RequestAuthentication[] {
  return policies.filter((p) => policyApplies(p, workload, mesh).applies).sort(compareByAge);
}

/** The rules of these policies in order, each with the `ns/name` of its policy (same index). */
export function jwtRulesOf(policies: readonly RequestAuthentication[]): { rules: JwtRule[]; sources: string[] } {
  const rules: JwtRule[] = [];
  const sources: string[] = [];
  for (const p of policies) {
    for (const rule of p.spec.jwtRules ?? []) {
      rules.push(rule);
      sources.push(`${p.metadata.namespace}/${p.metadata.name}`);
    }
  }
  return { rules, sources };
}
