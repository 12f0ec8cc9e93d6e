import type { AuthorizationPolicy, PeerAuthentication, RequestAuthentication } from '../../../config/kinds.js';
import { selectorMatches } from '../../workload.js';
import type { AnalyzeContext } from '../context.js';
import { finding, type Finding } from '../finding.js';

/** A `selector` that selects no known workload in the namespaces the policy reaches (a typo in a label, usually). */
export function selectorNoMatch(ctx: AnalyzeContext): Finding[] {
  if (!ctx.workloadsKnown) return [];
  const policies: (AuthorizationPolicy | PeerAuthentication | RequestAuthentication)[] = [
    ...ctx.authorizationPolicies, ...ctx.peerAuthentications, ...ctx.requestAuthentications,
  ];
  const out: Finding[] = [];
  for (const p of policies) {
    const want = p.spec.selector?.matchLabels;
    if (!want || Object.keys(want).length === 0) continue;
    const ns = p.metadata.namespace;
    const inScope = ctx.workloads.filter((w) => ns === ctx.mesh.rootNamespace || w.namespace === ns);
    if (inScope.some((w) => selectorMatches(p.spec.selector, w.labels))) continue;
    const text = Object.entries(want).map(([k, v]) => `${k}=${v}`).join(',');
    out.push(finding('MG_ANALYZE_SELECTOR_NO_MATCH', p, 'spec.selector.matchLabels',
      `selector "${text}" matches no workload in ${ns === ctx.mesh.rootNamespace ? 'the mesh' : `namespace ${ns}`}`));
  }
  return out;
}
