import type { AuthorizationPolicy } from '../../../config/kinds.js';
import { policyApplies, type WorkloadRef } from '../../workload.js';
import type { AnalyzeContext } from '../context.js';
import { finding, type Finding } from '../finding.js';
import { ruleCovers } from '../rule-subsumption.js';

/**
 * ALLOW rules that can never allow: DENY is evaluated first, and a DENY rule that
 * reaches the same workloads and certainly matches everything the ALLOW rule
 * matches leaves it nothing. Dry-run DENY policies do not enforce, so they don't count.
 */
export function ruleShadowed(ctx: AnalyzeContext): Finding[] {
  const denies = ctx.authorizationPolicies.filter((p) => p.spec.action === 'DENY' && !isDryRun(p));
  const out: Finding[] = [];
  for (const allow of ctx.authorizationPolicies) {
    if ((allow.spec.action ?? 'ALLOW') !== 'ALLOW') continue;
    const targets = targetsOf(ctx, allow);
    (allow.spec.rules ?? []).forEach((rule, ri) => {
      for (const deny of denies) {
        if (!targets.every((w) => policyApplies(deny, w, ctx.mesh).applies)) continue;
        const di = (deny.spec.rules ?? []).findIndex((d) => ruleCovers(d, rule));
        if (di < 0) continue;
        out.push(finding('MG_ANALYZE_RULE_SHADOWED', allow, `spec.rules[${ri}]`,
          `rule ${ri} of ALLOW policy ${allow.metadata.name} is shadowed by rule ${di} of DENY policy ${deny.metadata.namespace}/${deny.metadata.name}, which matches every request it matches`));
        break;
      }
    });
  }
  return out;
}

function isDryRun(p: AuthorizationPolicy): boolean {
  return p.metadata.annotations?.['istio.io/dry-run'] === 'true';
}

/** Known workloads the policy reaches; without any, a stand-in built from its namespace and selector. */
function targetsOf(ctx: AnalyzeContext, p: AuthorizationPolicy): WorkloadRef[] {
  if (ctx.workloadsKnown) {
    const known = ctx.workloads.filter((w) => policyApplies(p, w, ctx.mesh).applies);
    if (known.length > 0) return known;
  }
  return [{ namespace: p.metadata.namespace, labels: p.spec.selector?.matchLabels ?? {} }];
}
