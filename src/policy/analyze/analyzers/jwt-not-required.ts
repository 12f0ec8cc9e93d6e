import type { AuthorizationPolicy, AuthzRule } from '../../../config/kinds.js';
import { policyApplies, type WorkloadRef } from '../../workload.js';
import type { AnalyzeContext } from '../context.js';
import { finding, type Finding } from '../finding.js';

/**
 * The classic mistake: a RequestAuthentication alone rejects only *invalid* tokens;
 * a request with no token passes unless an AuthorizationPolicy requires a request
 * principal. For each workload the RequestAuthentication reaches, look for a DENY
 * with `notRequestPrincipals`, or ALLOW policies every rule of which needs a token.
 */
export function jwtNotRequired(ctx: AnalyzeContext): Finding[] {
  const out: Finding[] = [];
  for (const ra of ctx.requestAuthentications) {
    const targets: WorkloadRef[] = ctx.workloadsKnown
      ? ctx.workloads.filter((w) => policyApplies(ra, w, ctx.mesh).applies)
      : [{ namespace: ra.metadata.namespace, labels: ra.spec.selector?.matchLabels ?? {} }];
    const open = targets.filter((w) => !tokenRequired(ctx, w));
    if (open.length === 0) continue;
    const where = ` for ${open.map(describe).join(', ')}`;
    out.push(finding('MG_ANALYZE_JWT_NOT_REQUIRED', ra, 'spec',
      `RequestAuthentication ${ra.metadata.name} validates tokens, but no AuthorizationPolicy requires one${where}: requests without a token are accepted`));
  }
  return out;
}

/** `Workload ns/name`, or for a stand-in `workloads {app=x} in ns`. */
function describe(w: WorkloadRef): string {
  if ('label' in w && typeof w.label === 'string') return w.label;
  const sel = Object.entries(w.labels).map(([k, v]) => `${k}=${v}`).join(',');
  return sel ? `workloads {${sel}} in ${w.namespace}` : `namespace ${w.namespace}`;
}

function tokenRequired(ctx: AnalyzeContext, w: WorkloadRef): boolean {
  const applying = ctx.authorizationPolicies.filter((ap) => policyApplies(ap, w, ctx.mesh).applies);
  if (applying.some((ap) => ap.spec.action === 'DENY' && (ap.spec.rules ?? []).some(deniesMissingToken))) return true;
  const allows = applying.filter((ap) => (ap.spec.action ?? 'ALLOW') === 'ALLOW');
  return allows.length > 0 && allows.every(everyRuleNeedsToken);
}

function deniesMissingToken(rule: AuthzRule): boolean {
  return (rule.from ?? []).some((f) => (f.source?.notRequestPrincipals ?? []).length > 0);
}

function everyRuleNeedsToken(ap: AuthorizationPolicy): boolean {
  return (ap.spec.rules ?? []).every((rule) =>
    (rule.from ?? []).length > 0 && (rule.from ?? []).every((f) => (f.source?.requestPrincipals ?? []).length > 0)
    || (rule.when ?? []).some((c) => c.key.startsWith('request.auth.') && (c.values ?? []).length > 0));
}
