import type { AnalyzeContext } from '../context.js';
import { workloadsOf } from '../context.js';
import { finding, type Finding } from '../finding.js';

/** Clients leave these ports out of the Host header (curl, browsers, Envoy's own upstream requests). */
const DEFAULT_PORTS = new Set([80, 443]);

/**
 * `hosts` match the Host/:authority exactly, port included (Istio's docs: write
 * `host:*` to match any port). Compared with the ports clients use to reach the
 * selected workloads (Service ports, node ports, Gateway server ports):
 * - a host without a port never matches when every such port is non-default;
 * - a host naming :80 or :443 never matches, since clients omit them;
 * - a host naming another port no client uses never matches.
 */
export function hostPortMismatch(ctx: AnalyzeContext): Finding[] {
  const out: Finding[] = [];
  for (const ap of ctx.authorizationPolicies) {
    const ports = [...new Set(workloadsOf(ctx, ap).flatMap((w) => w.clientPorts))].sort((a, b) => a - b);
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

/** Why clients never send `host` as written, or null when some may. */
export function hostProblem(host: string, clientPorts: number[]): string | null {
  if (host === '*' || host.endsWith('*')) return null; // a prefix match covers any port
  const m = /:(\d+)$/.exec(host);
  if (m) {
    const port = Number(m[1]);
    const bare = host.slice(0, -m[0].length);
    if (DEFAULT_PORTS.has(port)) {
      return `host "${host}" names port ${port}, which clients leave out of the Host header: write "${bare}" (or "${bare}:*")`;
    }
    if (clientPorts.length > 0 && !clientPorts.includes(port)) {
      return `host "${host}" names port ${port}, but clients reach these workloads on port ${clientPorts.join(', ')}: no Host header carries :${port}`;
    }
    return null;
  }
  if (clientPorts.length > 0 && clientPorts.every((p) => !DEFAULT_PORTS.has(p))) {
    const p = clientPorts[0];
    return `host "${host}" has no port, but clients reach these workloads on port ${clientPorts.join(', ')} and send "${host}:${p}": write "${host}:${p}" or "${host}:*"`;
  }
  return null;
}
