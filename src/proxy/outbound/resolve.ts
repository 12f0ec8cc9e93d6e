/**
 * Where an app's request goes, from the snapshot alone (pure): a host the
 * Services of the mesh name resolves to that Service's endpoints; any other
 * host passes through (Istio's `ALLOW_ANY`) or is blocked (`REGISTRY_ONLY`).
 *
 * Names resolve as Kubernetes DNS does from the app's pod: `catalog` in the
 * proxy's own namespace, `catalog.istioinaction`, `catalog.istioinaction.svc`,
 * `catalog.istioinaction.svc.cluster.local`. The DNS suffix is always
 * `cluster.local`; the mesh's trust domain is another thing and plays no part.
 */
import type { Service, ServicePort } from '../../config/kinds.js';
import type { Endpoint, ProxySnapshot } from '../model.js';

/** The cluster DNS suffix Kubernetes gives Services (not the SPIFFE trust domain). */
export const CLUSTER_DNS_SUFFIX = 'cluster.local';
/** The port of an `http://` URL without one. */
export const DEFAULT_HTTP_PORT = 80;

export type PortProtocol = 'http' | 'http2' | 'grpc' | 'tcp';

/** One endpoint of a Service with the port the Service port maps to on it. */
export interface ResolvedEndpoint {
  endpoint: Endpoint;
  /** `targetPort` on this endpoint (a named target port may differ per endpoint). */
  port: number;
  protocol: PortProtocol;
}

export type Resolution =
  | {
      kind: 'service';
      service: Service;
      servicePort: ServicePort;
      /** `catalog.istioinaction.svc.cluster.local` */
      fqdn: string;
      endpoints: ResolvedEndpoint[];
      /** Secure naming: the SPIFFE IDs a sidecar of this Service may present (its endpoints' identities). */
      allowedIds: string[];
    }
  | { kind: 'passthrough'; host: string; port: number }
  | { kind: 'blocked'; reason: string };

/** `host[:port]` split; IPv6 literals keep no brackets. Returns null for a malformed authority. */
export function splitAuthority(authority: string, defaultPort: number | undefined): { host: string; port: number | undefined } | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]/@\s]+))(?::(\d{1,5}))?$/.exec(authority);
  if (!m) return null;
  const host = (m[1] ?? m[2] ?? '').toLowerCase().replace(/\.$/, '');
  if (host === '') return null;
  const port = m[3] === undefined ? defaultPort : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return null;
  return { host, port };
}

/** `name.ns` for a host that can name a Service from `ownNamespace`, else null. */
function serviceKeyOf(host: string, ownNamespace: string): { name: string; namespace: string } | null {
  const labels = host.split('.');
  const [name, ns, svc] = labels;
  if (!name) return null;
  if (labels.length === 1) return { name, namespace: ownNamespace };
  if (!ns) return null;
  if (labels.length === 2) return { name, namespace: ns };
  if (svc !== 'svc') return null;
  if (labels.length === 3 || labels.slice(3).join('.') === CLUSTER_DNS_SUFFIX) return { name, namespace: ns };
  return null;
}

function protocolOf(servicePort: ServicePort, declared: PortProtocol | undefined): PortProtocol {
  if (declared) return declared;
  // Istio's explicit protocol selection: appProtocol, else the port name's prefix (`grpc-web`, `http2-api`).
  const hint = (servicePort.appProtocol ?? servicePort.name ?? '').toLowerCase().split('-')[0];
  return hint === 'grpc' || hint === 'http2' || hint === 'tcp' ? hint : 'http';
}

/** Endpoints selected by the Service, each with its target port; a Service without selector has none (as in Kubernetes). */
function endpointsOf(service: Service, servicePort: ServicePort, endpoints: Endpoint[]): ResolvedEndpoint[] {
  const selector = service.spec.selector;
  if (!selector || Object.keys(selector).length === 0) return [];
  const out: ResolvedEndpoint[] = [];
  for (const endpoint of endpoints) {
    if (endpoint.namespace !== service.metadata.namespace) continue;
    if (!Object.entries(selector).every(([k, v]) => endpoint.labels[k] === v)) continue;
    const target = servicePort.targetPort ?? servicePort.port;
    const wp = typeof target === 'number' ? endpoint.ports.find((p) => p.port === target) : endpoint.ports.find((p) => p.name === target);
    // A named target port the endpoint does not declare cannot be reached on it.
    if (typeof target === 'string' && !wp) continue;
    out.push({ endpoint, port: wp?.port ?? (target as number), protocol: protocolOf(servicePort, wp?.protocol) });
  }
  return out;
}

/**
 * Resolve an authority (`catalog`, `catalog.istioinaction:80`, `10.0.0.1:8080`)
 * against the snapshot.
 *
 * @example
 * resolveDestination(snapshot, 'catalog.istioinaction', 80)
 * // { kind: 'service', fqdn: 'catalog.istioinaction.svc.cluster.local', endpoints: [{ endpoint, port: 3000, … }], … }
 */
export function resolveDestination(snapshot: ProxySnapshot, authority: string, defaultPort: number | undefined): Resolution {
  const parts = splitAuthority(authority, defaultPort);
  if (!parts) return { kind: 'blocked', reason: `"${authority.slice(0, 100)}" is not a valid host[:port]` };
  if (parts.port === undefined) return { kind: 'blocked', reason: `"${parts.host}" needs a port` };
  const key = serviceKeyOf(parts.host, snapshot.workload.namespace);
  const service = key && snapshot.services.find((s) => s.metadata.name === key.name && s.metadata.namespace === key.namespace);
  if (!service) {
    if (snapshot.mesh.outboundTrafficPolicy === 'REGISTRY_ONLY') {
      return { kind: 'blocked', reason: `${parts.host} is not a Service of the mesh and outboundTrafficPolicy is REGISTRY_ONLY` };
    }
    return { kind: 'passthrough', host: parts.host, port: parts.port };
  }
  const fqdn = `${service.metadata.name}.${service.metadata.namespace}.svc.${CLUSTER_DNS_SUFFIX}`;
  const servicePort = service.spec.ports?.find((p) => p.port === parts.port && (p.protocol ?? 'TCP') === 'TCP');
  if (!servicePort) return { kind: 'blocked', reason: `Service ${fqdn} has no port ${parts.port}` };
  const endpoints = endpointsOf(service, servicePort, snapshot.endpoints);
  const allowedIds = [...new Set(endpoints.flatMap((e) => (e.endpoint.sidecar && e.endpoint.spiffeId ? [e.endpoint.spiffeId] : [])))].sort();
  return { kind: 'service', service, servicePort, fqdn, endpoints, allowedIds };
}
