/**
 * What `up` prints on stdout once the mesh is ready: each workload with its
 * identity and addresses, then commands to try.
 */
import type { Resource, Service } from '../../../config/kinds.js';
import type { PlannedWorkload } from '../../../platform/local/mesh-plan.js';

/**
 * @example
 * summaryLines(plan.workloads, resources, 'examples/istio-in-action', 3.2)
 * // ['mesh ready in 3.2 s: 3 workloads', '', 'WORKLOAD  IDENTITY  ADDRESS  APP', …]
 */
export function summaryLines(workloads: readonly PlannedWorkload[], resources: readonly Resource[], sources: readonly string[], seconds: number): string[] {
  const rows = [['WORKLOAD', 'IDENTITY', 'ADDRESS', 'APP'], ...workloads.map((w) => [
    w.ref, w.spiffeId ?? '(none: no sidecar)', w.address,
    w.command ? `${w.appAddress}${w.ports[0] ? `:${w.ports[0].port}` : ''}` : '-',
  ])];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const table = rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  return [`mesh ready in ${seconds.toFixed(1)} s: ${workloads.length} workload(s)`, '', ...table, '', 'Try:', ...tryLines(workloads, resources, sources), ''];
}

/** A curl to each Service from a legacy workload (else the first), then apply and down. */
function tryLines(workloads: readonly PlannedWorkload[], resources: readonly Resource[], sources: readonly string[]): string[] {
  const client = workloads.find((w) => !w.sidecar) ?? workloads[0];
  const services = resources.filter((r): r is Service => r.kind === 'Service');
  const lines = client
    ? services.map((s) => {
        const port = s.spec.ports?.[0]?.port;
        return `  meshguard exec ${client.ref} -- curl -s ${s.metadata.name}.${s.metadata.namespace}${port && port !== 80 ? `:${port}` : ''}/`;
      })
    : [];
  const dir = sources[0];
  if (dir) lines.push(`  meshguard apply -f ${dir.replace(/\/$/, '')}/<policy>.yaml     # change the running mesh`);
  lines.push('  meshguard proxy-status', '  meshguard down                # or Ctrl-C');
  return lines;
}
