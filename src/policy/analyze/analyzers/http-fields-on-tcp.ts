import type { AuthzRule } from '../../../config/kinds.js';
import type { AnalyzeContext } from '../context.js';
import { workloadsOf } from '../context.js';
import { finding, type Finding } from '../finding.js';

const HTTP_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'] as const;
const HTTP_SOURCE_FIELDS = ['requestPrincipals', 'notRequestPrincipals'] as const;

/** Names of the HTTP-only fields a rule uses (they cannot apply to raw TCP traffic). */
export function httpOnlyFields(rule: AuthzRule): string[] {
  const used = new Set<string>();
  for (const to of rule.to ?? []) for (const f of HTTP_OPERATION_FIELDS) if (to.operation?.[f]?.length) used.add(f);
  for (const from of rule.from ?? []) for (const f of HTTP_SOURCE_FIELDS) if (from.source?.[f]?.length) used.add(f);
  for (const c of rule.when ?? []) if (c.key.startsWith('request.')) used.add(c.key);
  return [...used];
}

/**
 * A policy whose workloads serve only TCP on the ports it covers, with rules that
 * use HTTP fields: Istio drops such ALLOW rules (they allow nothing) and keeps only
 * the TCP part of such DENY rules (they deny more than written).
 */
export function httpFieldsOnTcp(ctx: AnalyzeContext): Finding[] {
  const out: Finding[] = [];
  for (const ap of ctx.authorizationPolicies) {
    const workloads = workloadsOf(ctx, ap);
    (ap.spec.rules ?? []).forEach((rule, ri) => {
      const fields = httpOnlyFields(rule);
      if (fields.length === 0) return;
      const named = new Set((rule.to ?? []).flatMap((t) => t.operation?.ports ?? []).map(Number));
      const tcpPorts = workloads.flatMap((w) => w.ports.filter((p) => p.protocol === 'tcp' && (named.size === 0 || named.has(p.port))).map((p) => p.port));
      const httpPorts = workloads.flatMap((w) => w.ports.filter((p) => p.protocol === 'http' && (named.size === 0 || named.has(p.port))));
      if (tcpPorts.length === 0 || httpPorts.length > 0) return;
      const effect = (ap.spec.action ?? 'ALLOW') === 'DENY' ? 'the DENY ignores them and matches more' : 'the rule can never match';
      out.push(finding('MG_ANALYZE_HTTP_FIELDS_ON_TCP', ap, `spec.rules[${ri}]`,
        `rule ${ri} uses HTTP-only fields (${fields.join(', ')}) but the selected ports (${[...new Set(tcpPorts)].join(', ')}) are TCP: ${effect}`));
    });
  }
  return out;
}
