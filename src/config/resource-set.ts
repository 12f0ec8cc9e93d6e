/**
 * Loaded resources indexed the ways the engines ask: by kind, by kind and
 * namespace, workloads and services by namespace, and which Services select a
 * Workload. Built once in linear time; lookups are map reads.
 */
import type { Resource, ResourceKind, Service, Workload, WorkloadSelector } from './kinds.js';

type OfKind<K extends ResourceKind> = Extract<Resource, { kind: K }>;

function labelsMatch(want: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!want) return false; // a Service without a selector selects nothing (its endpoints are managed by hand)
  for (const key in want) if (labels[key] !== want[key]) return false;
  return true;
}

export class ResourceSet {
  private readonly byKind = new Map<ResourceKind, Resource[]>();
  private readonly byKindNs = new Map<string, Resource[]>();

  /**
   * @example
   * const set = new ResourceSet(result.resources);
   * set.inNamespace('AuthorizationPolicy', 'payments');
   */
  constructor(readonly all: readonly Resource[]) {
    for (const r of all) {
      push(this.byKind, r.kind, r);
      push(this.byKindNs, `${r.kind}/${r.metadata.namespace}`, r);
    }
  }

  /** Every resource of one kind, in load order. */
  ofKind<K extends ResourceKind>(kind: K): readonly OfKind<K>[] {
    return (this.byKind.get(kind) ?? []) as OfKind<K>[];
  }

  /** Resources of one kind in one namespace, in load order. */
  inNamespace<K extends ResourceKind>(kind: K, namespace: string): readonly OfKind<K>[] {
    return (this.byKindNs.get(`${kind}/${namespace}`) ?? []) as OfKind<K>[];
  }

  workloadsIn(namespace: string): readonly Workload[] {
    return this.inNamespace('Workload', namespace);
  }

  servicesIn(namespace: string): readonly Service[] {
    return this.inNamespace('Service', namespace);
  }

  /** Services in the workload's namespace whose `selector` matches its labels (Kubernetes semantics). */
  servicesSelecting(workload: Workload): Service[] {
    const labels = workload.metadata.labels ?? {};
    return this.servicesIn(workload.metadata.namespace).filter((s) => labelsMatch(s.spec.selector, labels));
  }

  /** Workloads of a namespace a WorkloadSelector picks; no selector (or no labels) picks all of them. */
  workloadsSelected(selector: WorkloadSelector | undefined, namespace: string): Workload[] {
    const want = selector?.matchLabels;
    const all = this.workloadsIn(namespace);
    if (!want || Object.keys(want).length === 0) return [...all];
    return all.filter((w) => labelsMatch(want, w.metadata.labels ?? {}));
  }
}

function push<K>(map: Map<K, Resource[]>, key: K, r: Resource): void {
  const list = map.get(key);
  if (list) list.push(r);
  else map.set(key, [r]);
}
