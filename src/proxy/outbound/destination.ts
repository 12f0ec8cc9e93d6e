/**
 * From a resolution to one upstream: which endpoint (round-robin), mTLS or
 * plaintext (auto mTLS: mTLS exactly when the endpoint has a sidecar), the
 * cluster and route names the access log shows — or the local reply to send
 * instead. Shared by absolute-URI requests and CONNECT tunnels.
 */
import type { ProxySnapshot } from '../model.js';
import type { PortProtocol, Resolution } from './resolve.js';
import { resolveDestination } from './resolve.js';
import type { RoundRobin } from './round-robin.js';
import type { UpstreamTarget } from './upstream-pool.js';

/** Authorities remembered per snapshot; past this the memo starts over (an app calling many passthrough hosts). */
export const RESOLUTION_MEMO_SIZE = 1024;

// Resolution is pure in (snapshot, authority, port) and snapshots are swapped whole, never edited:
// resolve each authority once per snapshot instead of per request (find, filter, Set, sort).
const memo = new WeakMap<ProxySnapshot, Map<string, Resolution>>();

function resolveMemoized(snapshot: ProxySnapshot, authority: string, defaultPort: number | undefined): Resolution {
  let bySnapshot = memo.get(snapshot);
  if (!bySnapshot) memo.set(snapshot, (bySnapshot = new Map()));
  const key = defaultPort === undefined ? authority : `${authority}\0${defaultPort}`;
  let r = bySnapshot.get(key);
  if (r === undefined) {
    if (bySnapshot.size >= RESOLUTION_MEMO_SIZE) bySnapshot.clear();
    r = resolveDestination(snapshot, authority, defaultPort);
    bySnapshot.set(key, r);
  }
  return r;
}

/** Envoy's cluster for hosts no Service names under `ALLOW_ANY`. */
export const PASSTHROUGH_CLUSTER = 'PassthroughCluster';
/** Envoy's cluster for hosts `REGISTRY_ONLY` refuses. */
export const BLACKHOLE_CLUSTER = 'BlackHoleCluster';

export type Destination =
  | {
      ok: true;
      target: UpstreamTarget;
      /** `outbound|80||catalog.istioinaction.svc.cluster.local`, or `PassthroughCluster`. */
      cluster: string;
      /** `catalog.istioinaction.svc.cluster.local:80`, or `allow_any`. */
      route: string;
      /** Declared protocol of the destination port; passthrough is unknown (`undefined`). */
      protocol: PortProtocol | undefined;
    }
  | { ok: false; status: 502 | 503; body: string; flags: string[]; details: string; cluster?: string };

/**
 * @example
 * const d = pickDestination(snapshot, 'catalog.istioinaction', 80, rr);
 * if (d.ok) upstream.http1(d.target);
 */
export function pickDestination(snapshot: ProxySnapshot, authority: string, defaultPort: number | undefined, rr: RoundRobin): Destination {
  const r = resolveMemoized(snapshot, authority, defaultPort);
  if (r.kind === 'blocked') {
    return { ok: false, status: 502, body: `meshguard: ${r.reason}`, flags: [], details: 'cluster_not_found', cluster: BLACKHOLE_CLUSTER };
  }
  if (r.kind === 'passthrough') {
    return { ok: true, target: { host: r.host, port: r.port, mtls: null }, cluster: PASSTHROUGH_CLUSTER, route: 'allow_any', protocol: undefined };
  }
  const cluster = `outbound|${r.servicePort.port}||${r.fqdn}`;
  const picked = rr.pick(`${r.fqdn}:${r.servicePort.port}`, r.endpoints);
  if (!picked) return { ok: false, status: 503, body: 'no healthy upstream', flags: ['UH'], details: 'no_healthy_upstream', cluster };
  const { endpoint } = picked;
  // Auto mTLS: a sidecar means mTLS with secure naming; never fall back to plaintext for it.
  const mtls = endpoint.sidecar ? { allowedIds: r.allowedIds } : null;
  return {
    ok: true, target: { host: endpoint.address, port: picked.port, mtls }, cluster, route: `${r.fqdn}:${r.servicePort.port}`, protocol: picked.protocol,
  };
}
