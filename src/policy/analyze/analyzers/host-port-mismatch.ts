import type { AnalyzeContext } from '../context.js';
import { workloadsOf } from '../context.js';
import { finding, type Finding } from '../finding.js';

/** Clients leave these ports out of the Host header (curl, browsers, Envoy's own upstream requests). */
const DEFAULT_PORTS = new Set([80, 443]);

/**
 * `hosts` match the Host/:authority exactly, port included. When every port clients
 * use to reach the selected workloads is non-default, a host without a port never
 * matches; a host naming :80 or :443 never matches either, since clients omit them.
 */
export function hostPortMismatch(ctx: AnalyzeContext): Finding[] {
  const out: Finding[] = [];
  for (const ap of ctx.authorizationPolicies) {
    const ports = [...new Set(workloadsOf(ctx, ap).flatMap((w) => w.clientPorts))];
    (ap.spec.rules ?? []).forEach((rule, ri) => {
      (rule.to ?? []).forEach((to, ti) => {
        for (const field of ['hosts', 'notHosts'] as const) {
          (to.operation?.[field] ?? []).forEach((host, hi) => {
            const problem = hostProblem(host, ports);
            if (problem) out.push(finding('MG_ANALYZE_HOST_PORT_MISMATCH', ap, `spec.rules[${ri}].to[${ti}].operation.${field}[${hi}]`, problem));
          });
        }
      });
    });
  }
  return out;
}

function hostProblem(host: string, clientPorts: number[]): string | null {
  if (host === '*' || host.endsWith('*')) return null; // prefix match covers any port
  const m = /:(\d+|\*)$/.exec(host);
  if (m) {
    const port = Number(m[1]);
    if (DEFAULT_PORTS.has(port)) {
      return `host "${host}" names port ${port}, which clients leave out of the Host header: it matches only clients that write it`;
    }
    return null;
  }
  if (clientPorts.length > 0 && clientPorts.every((p) => !DEFAULT_PORTS.has(p))) {
    const p = clientPorts[0];
    return `host "${host}" has no port, but clients reach these workloads on port ${clientPorts.join(', ')} and send "${host}:${p}": write "${host}:${p}" or "${host}:*"`;
  }
  return null;
}
