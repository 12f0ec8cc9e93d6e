/**
 * What the analyzers look at: the resources by kind, and the workloads they can
 * reach — `Workload` resources, and for plain Kubernetes manifests one stand-in per
 * `Service` (its selector as labels, its target ports), since pods are not given.
 */
import type {
  AuthorizationPolicy, MeshConfig, PeerAuthentication, RequestAuthentication, Resource, Service, ServicePort, Gateway,
} from '../../config/kinds.js';
import { policyApplies, type WorkloadRef } from '../workload.js';

export type PortProtocol = 'http' | 'tcp';

export interface WorkloadView extends WorkloadRef {
  /** `Workload istioinaction/webapp` or `Service istioinaction/webapp (its pods)`. */
  label: string;
  ports: { port: number; protocol: PortProtocol }[];
  /** Ports clients use to reach it (Service ports, Gateway server ports): decides the Host header's form. */
  clientPorts: number[];
  /** True for a Service's stand-in: its labels are only those the Service selects on; the pods have more. */
  partialLabels?: boolean;
}

export interface AnalyzeContext {
  mesh: MeshConfig;
  peerAuthentications: PeerAuthentication[];
  requestAuthentications: RequestAuthentication[];
  authorizationPolicies: AuthorizationPolicy[];
  services: Service[];
  gateways: Gateway[];
  workloads: WorkloadView[];
  /** True when workloads came from `Workload` resources or Services, so selectors can be checked. */
  workloadsKnown: boolean;
}

/** Istio's protocol selection for a Service port: `appProtocol`, else the name's prefix (`http-web`, `grpc`, `tcp-db`). */
export function serviceProtocol(port: { name?: string; appProtocol?: string }): PortProtocol {
  const p = (port.appProtocol ?? port.name ?? '').toLowerCase().split('-')[0] ?? '';
  return ['http', 'http2', 'grpc', 'grpc-web', 'https', 'h2c'].includes(p) || p === '' ? 'http' : 'tcp';
}

export function buildContext(resources: Resource[], mesh: MeshConfig): AnalyzeContext {
  const of = <K extends Resource['kind']>(kind: K) => resources.filter((r): r is Extract<Resource, { kind: K }> => r.kind === kind);
  const services = of('Service');
  const gateways = of('Gateway');
  const workloads: WorkloadView[] = [];

  for (const w of of('Workload')) {
    const labels = w.metadata.labels ?? {};
    const selecting = services.filter((s) => s.metadata.namespace === w.metadata.namespace && selects(s.spec.selector, labels));
    workloads.push({
      label: `Workload ${w.metadata.namespace}/${w.metadata.name}`,
      namespace: w.metadata.namespace,
      labels,
      services: selecting.map((s) => s.metadata.name),
      ports: (w.spec.ports ?? []).map((p) => ({ port: p.port, protocol: p.protocol === 'tcp' ? 'tcp' : 'http' })),
      clientPorts: selecting.flatMap(servicePortsOf),
    });
  }
  // Services whose pods are not described by a Workload stand in for those pods.
  for (const s of services) {
    const sel = s.spec.selector;
    if (!sel || Object.keys(sel).length === 0) continue;
    if (workloads.some((w) => w.namespace === s.metadata.namespace && selects(sel, w.labels))) continue;
    workloads.push({
      label: `Service ${s.metadata.namespace}/${s.metadata.name} (its pods)`,
      partialLabels: true,
      namespace: s.metadata.namespace,
      labels: { ...sel },
      services: [s.metadata.name],
      ports: (s.spec.ports ?? []).map((p) => ({ port: typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: serviceProtocol(p) })),
      clientPorts: servicePortsOf(s),
    });
  }
  for (const g of gateways) {
    for (const w of workloads) {
      if (g.spec.selector && selects(g.spec.selector, w.labels)) {
        w.clientPorts.push(...(g.spec.servers ?? []).map((s) => s.port.number));
        (w.gateways ??= []).push(g.metadata.name);
      }
    }
  }
  return {
    mesh,
    peerAuthentications: of('PeerAuthentication'),
    requestAuthentications: of('RequestAuthentication'),
    authorizationPolicies: of('AuthorizationPolicy'),
    services,
    gateways,
    workloads,
    workloadsKnown: workloads.length > 0,
  };
}

/**
 * Ports clients put in the Host header for a Service: its ports, and the node ports
 * outside clients use (kind's `localhost:30000` → NodePort 30000 → the gateway).
 */
function servicePortsOf(s: Service): number[] {
  return (s.spec.ports ?? []).flatMap((p: ServicePort) => (p.nodePort ? [p.port, p.nodePort] : [p.port]));
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** The known workloads a selector-or-targetRef policy applies to. */
export function workloadsOf(ctx: AnalyzeContext, policy: AuthorizationPolicy | RequestAuthentication): WorkloadView[] {
  return ctx.workloads.filter((w) => policyApplies(policy, w, ctx.mesh).applies);
}
