/**
 * Which workload a decision is about, and which policies select it. Shared by
 * the mTLS, JWT and authorization engines so that "applies to this workload"
 * means one thing everywhere.
 */
import type { MeshConfig, ObjectMeta, PolicyTargetReference, WorkloadSelector } from '../config/kinds.js';

/** The destination workload as the engines see it. */
export interface WorkloadRef {
  namespace: string;
  labels: Record<string, string>;
  /**
   * Services that select this workload (`name` in the same namespace), for
   * `targetRef(s)` of kind `Service`. Empty when unknown.
   */
  services?: string[];
  /** Gateway names this workload implements, for `targetRef(s)` of kind `Gateway`. */
  gateways?: string[];
}

/** `matchLabels` semantics: every listed label present with that value; empty or absent matches all. */
export function selectorMatches(selector: WorkloadSelector | undefined, labels: Record<string, string>): boolean {
  const want = selector?.matchLabels;
  if (!want) return true;
  for (const key in want) {
    if (labels[key] !== want[key]) return false;
  }
  return true;
}

interface Selectable {
  metadata: ObjectMeta;
  spec: { selector?: WorkloadSelector; targetRef?: PolicyTargetReference; targetRefs?: PolicyTargetReference[] };
}

/** How a policy reaches a workload, or why it does not. */
export type Applicability =
  | { applies: true; scope: 'mesh' | 'namespace' | 'workload' | 'target' }
  | { applies: false; reason: string };

/**
 * Istio's rule for AuthorizationPolicy and RequestAuthentication: policies in the
 * root namespace apply mesh-wide, others only in their own namespace; a
 * `selector` narrows by labels; `targetRef(s)` (when present) replace the
 * selector and name a Service or Gateway in the policy's namespace.
 */
export function policyApplies(policy: Selectable, workload: WorkloadRef, mesh: MeshConfig): Applicability {
  const ns = policy.metadata.namespace;
  const inRoot = ns === mesh.rootNamespace;
  if (!inRoot && ns !== workload.namespace) {
    return { applies: false, reason: `policy is in namespace ${ns}, workload in ${workload.namespace}` };
  }
  const refs = policy.spec.targetRefs ?? (policy.spec.targetRef ? [policy.spec.targetRef] : undefined);
  if (refs && refs.length > 0) {
    for (const ref of refs) {
      if ((ref.namespace ?? ns) !== workload.namespace) continue;
      const names = ref.kind === 'Service' ? workload.services : ref.kind === 'Gateway' ? workload.gateways : undefined;
      if (names?.includes(ref.name)) return { applies: true, scope: 'target' };
    }
    return { applies: false, reason: `targetRefs name ${refs.map((r) => `${r.kind}/${r.name}`).join(', ')}, not this workload` };
  }
  if (!selectorMatches(policy.spec.selector, workload.labels)) {
    return { applies: false, reason: `selector ${JSON.stringify(policy.spec.selector?.matchLabels)} does not match the workload's labels` };
  }
  if (policy.spec.selector?.matchLabels && Object.keys(policy.spec.selector.matchLabels).length > 0) {
    return { applies: true, scope: 'workload' };
  }
  return { applies: true, scope: inRoot ? 'mesh' : 'namespace' };
}

/** Istio's tie-break between policies of equal rank: oldest `creationTimestamp`, then name. */
export function compareByAge(a: { metadata: ObjectMeta }, b: { metadata: ObjectMeta }): number {
  const ta = a.metadata.creationTimestamp ? Date.parse(a.metadata.creationTimestamp) : Number.POSITIVE_INFINITY;
  const tb = b.metadata.creationTimestamp ? Date.parse(b.metadata.creationTimestamp) : Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = `${a.metadata.namespace}/${a.metadata.name}`;
  const nb = `${b.metadata.namespace}/${b.metadata.name}`;
  return na < nb ? -1 : na > nb ? 1 : 0;
}
