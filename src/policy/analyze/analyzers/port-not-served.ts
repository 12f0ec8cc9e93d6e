import type { AnalyzeContext } from '../context.js';
import { workloadsOf } from '../context.js';
import { finding, type Finding } from '../finding.js';

/**
 * `to.operation.ports` are compared with `destination.port`: the port the workload
 * itself listens on (a Service's targetPort, a gateway's container port), never the
 * Service port or a NodePort. A port no selected workload serves never matches: an
 * ALLOW rule with it allows nothing, a DENY rule with it denies nothing.
 */
export function portNotServed(ctx: AnalyzeContext): Finding[] {
  const out: Finding[] = [];
  for (const ap of ctx.authorizationPolicies) {
    const workloads = workloadsOf(ctx, ap).filter((w) => w.ports.length > 0);
    if (workloads.length === 0) continue;
    const served = new Set(workloads.flatMap((w) => w.ports.map((p) => p.port)));
    (ap.spec.rules ?? []).forEach((rule, ri) => {
      (rule.to ?? []).forEach((to, ti) => {
        (to.operation?.ports ?? []).forEach((port, pi) => {
          if (served.has(Number(port))) return;
          const effect = (ap.spec.action ?? 'ALLOW') === 'DENY' ? 'this DENY rule never applies' : 'this rule never allows anything';
          out.push(finding('MG_ANALYZE_PORT_NOT_SERVED', ap, `spec.rules[${ri}].to[${ti}].operation.ports[${pi}]`,
            `port ${port} is not a port the selected workloads listen on (${[...served].sort((a, b) => a - b).join(', ')}): ${effect}`));
        });
      });
    });
  }
  return out;
}
