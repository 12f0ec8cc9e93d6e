/**
 * From the resources of `up -f DIR` to what runs (pure): each Workload with its
 * addresses, identity and command, and the resources to apply — Workloads with
 * their planned `address` filled in, so every proxy's endpoints say where each
 * workload listens. Also the environment a workload's app gets.
 */
import type { Resource, Workload, WorkloadPort } from '../../config/kinds.js';
import { planAddresses, refOf } from './addresses.js';

/** One workload of the local mesh. */
export interface PlannedWorkload {
  /** `istioinaction/webapp` */
  ref: string;
  namespace: string;
  name: string;
  serviceAccount: string;
  sidecar: boolean;
  address: string;
  appAddress: string;
  ports: WorkloadPort[];
  command: string[] | null;
  env: Record<string, string>;
  /** `spiffe://cluster.local/ns/istioinaction/sa/webapp`, or null without a sidecar. */
  spiffeId: string | null;
}

export interface MeshPlan {
  workloads: PlannedWorkload[];
  /** Everything to apply to the control plane, Workloads carrying their planned address. */
  resources: Resource[];
}

/** Proxy variables a workload must not inherit from the shell that ran `up`: its traffic goes where the mesh says. */
const PROXY_VARIABLES = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY'];

/**
 * @example
 * const plan = planMesh(loaded.resources, 'cluster.local');
 * plan.workloads.map((w) => `${w.ref} ${w.address}`) // ['default/sleep 127.77.1.1', 'istioinaction/catalog 127.77.2.1', …]
 */
export function planMesh(resources: readonly Resource[], trustDomain: string): MeshPlan {
  const workloads = resources.filter((r): r is Workload => r.kind === 'Workload');
  const addresses = planAddresses(workloads);
  const planned: PlannedWorkload[] = [];
  const withAddresses = resources.map((r): Resource => {
    if (r.kind !== 'Workload') return r;
    const a = addresses.get(refOf(r));
    if (!a) throw new TypeError(`no address planned for ${refOf(r)}`);
    const sidecar = r.spec.sidecar !== false;
    const serviceAccount = r.spec.serviceAccount ?? 'default';
    planned.push({
      ref: a.ref, namespace: r.metadata.namespace, name: r.metadata.name, serviceAccount, sidecar,
      address: a.address, appAddress: a.appAddress, ports: r.spec.ports ?? [],
      command: r.spec.command ? [...r.spec.command] : null, env: { ...(r.spec.env ?? {}) },
      spiffeId: sidecar ? `spiffe://${trustDomain}/ns/${r.metadata.namespace}/sa/${serviceAccount}` : null,
    });
    return { ...r, spec: { ...r.spec, address: a.address } };
  });
  planned.sort((x, y) => (x.ref < y.ref ? -1 : x.ref > y.ref ? 1 : 0));
  return { workloads: planned, resources: withAddresses };
}

/**
 * The environment of a command run as a workload (its app under `up`, or `exec`):
 * the caller's, without its proxy settings, then the mesh's, then the Workload's own `env`.
 *
 * @example
 * workloadEnv(process.env, 'http://127.77.2.1:15001', { HOST: '127.78.2.1', PORT: '8080' }, {})
 */
export function workloadEnv(
  base: NodeJS.ProcessEnv, proxyUrl: string, extra: Record<string, string>, own: Record<string, string>,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = withoutProxyVariables(base);
  // Empty NO_PROXY: even `localhost`-looking names go through the proxy, which knows the mesh's names.
  Object.assign(env, {
    http_proxy: proxyUrl, HTTP_PROXY: proxyUrl, https_proxy: proxyUrl, HTTPS_PROXY: proxyUrl, NO_PROXY: '', no_proxy: '',
  }, extra, own);
  return env;
}

/** A copy of `base` without proxy variables (for sidecars, which must not proxy themselves). */
export function withoutProxyVariables(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of PROXY_VARIABLES) delete env[name];
  return env;
}
