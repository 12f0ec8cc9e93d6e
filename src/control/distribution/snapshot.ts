/**
 * One proxy's snapshot: the security policies that can apply to its workload,
 * the mesh's Services and endpoints (for outbound resolution), and the mesh
 * config. Pure: resources in, snapshot out.
 *
 * Version: a content hash (not a counter). A change elsewhere in the mesh that
 * leaves this proxy's snapshot identical leaves its version alone — no push, no
 * re-compile, no STALE blip — and a restarted control plane computes the same
 * versions, so a proxy that reconnects with the current content is SYNCED at
 * once. Versions are opaque: the proxy compares them for equality only.
 */
import type { MeshConfig, Resource, Service, Workload } from '../../config/index.js';
import { ResourceSet } from '../../config/index.js';
import { compareByAge, policyApplies, selectorMatches, type WorkloadRef } from '../../policy/workload.js';
import type { DistributedSnapshot as ProxySnapshot, SnapshotEndpoint as Endpoint } from './wire.js';
import { contentHash } from './content-hash.js';

/** Who asks: the workload a proxy serves. Labels and service account are used only when the mesh has no Workload of that name. */
export interface ProxyRef {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  serviceAccount?: string;
}

/** The mesh as the snapshot builder reads it: built once per change, shared by every proxy. */
export interface MeshState {
  mesh: MeshConfig;
  set: ResourceSet;
}

/** Kubernetes gives a pod the `default` service account unless it names one. */
const DEFAULT_SERVICE_ACCOUNT = 'default';

/** @example const state = meshState(mesh, resources); */
export function meshState(mesh: MeshConfig, resources: readonly Resource[]): MeshState {
  return { mesh, set: new ResourceSet(resources) };
}

/** A Workload resource as the proxies see it; `spiffeId` only when it has a sidecar to present one. */
export function toEndpoint(w: Workload, trustDomain: string): Endpoint {
  const sidecar = w.spec.sidecar ?? true;
  const sa = w.spec.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT;
  return {
    namespace: w.metadata.namespace, name: w.metadata.name, labels: w.metadata.labels ?? {},
    address: w.spec.address ?? '', ports: w.spec.ports ?? [], sidecar,
    spiffeId: sidecar ? `spiffe://${trustDomain}/ns/${w.metadata.namespace}/sa/${sa}` : null,
  };
}

/** The service account the workload a proxy serves runs as (see `ProxyRef`). @example serviceAccountOf(state.set, { namespace: 'shop', name: 'web' }) */
export function serviceAccountOf(set: ResourceSet, proxy: ProxyRef): string {
  const own = set.workloadsIn(proxy.namespace).find((w) => w.metadata.name === proxy.name);
  return (own ? own.spec.serviceAccount : proxy.serviceAccount) ?? DEFAULT_SERVICE_ACCOUNT;
}

/** Services in the namespace whose selector picks these labels (a Service without a selector picks nothing). */
function servicesSelecting(services: readonly Service[], labels: Record<string, string>): string[] {
  return services
    .filter((s) => s.spec.selector && Object.keys(s.spec.selector).length > 0 && selectorMatches({ matchLabels: s.spec.selector }, labels))
    .map((s) => s.metadata.name);
}

function byName(a: { metadata: { namespace: string; name: string } }, b: { metadata: { namespace: string; name: string } }): number {
  const x = `${a.metadata.namespace}/${a.metadata.name}`;
  const y = `${b.metadata.namespace}/${b.metadata.name}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The snapshot for one proxy. Policies are those Istio's rule lets reach the
 * workload (root namespace or its own, selector or targetRef matching), oldest
 * first; the proxy's engines make the final per-port decision.
 *
 * @example
 *   const snap = buildSnapshot(meshState(mesh, resources), { namespace: 'shop', name: 'web' });
 *   snap.authorizationPolicies.map((p) => p.metadata.name);
 */
export function buildSnapshot(state: MeshState, proxy: ProxyRef): ProxySnapshot {
  const { mesh, set } = state;
  const own = set.workloadsIn(proxy.namespace).find((w) => w.metadata.name === proxy.name);
  const workload: Workload = own ?? {
    apiVersion: 'meshguard.dev/v1alpha1', group: 'meshguard.dev', kind: 'Workload',
    metadata: { namespace: proxy.namespace, name: proxy.name, labels: proxy.labels ?? {} },
    spec: { serviceAccount: proxy.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT },
    source: { file: '<proxy hello>', line: 1, column: 1, document: 0 },
  };
  const labels = workload.metadata.labels ?? {};
  const ref: WorkloadRef = { namespace: proxy.namespace, labels, services: servicesSelecting(set.servicesIn(proxy.namespace), labels) };
  const reaching = <T extends Resource & { spec: object }>(list: readonly T[]) =>
    list.filter((p) => policyApplies(p as never, ref, mesh).applies).sort((a, b) => compareByAge(a, b));
  const content = {
    mesh,
    workload: { ...toEndpoint(workload, mesh.trustDomain), serviceAccount: workload.spec.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT },
    peerAuthentications: reaching(set.ofKind('PeerAuthentication')),
    requestAuthentications: reaching(set.ofKind('RequestAuthentication')),
    authorizationPolicies: reaching(set.ofKind('AuthorizationPolicy')),
    services: [...set.ofKind('Service')].sort(byName),
    endpoints: [...set.ofKind('Workload')].sort(byName).map((w) => toEndpoint(w, mesh.trustDomain)),
  };
  return { version: contentHash(content), ...content };
}
