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
    // A root-namespace PeerAuthentication's selector is ignored: MG_ANALYZE_ROOT_SELECTOR_IGNORED says so.
    if (p.kind === 'PeerAuthentication' && ns === ctx.mesh.rootNamespace) continue;
    const inScope = ctx.workloads.filter((w) => ns === ctx.mesh.rootNamespace || w.namespace === ns);
    if (inScope.some((w) => (w.partialLabels ? mayMatch(want, w.labels) : selectorMatches(p.spec.selector, w.labels)))) continue;
    const text = Object.entries(want).map(([k, v]) => `${k}=${v}`).join(',');
    out.push(finding('MG_ANALYZE_SELECTOR_NO_MATCH', p, 'spec.selector.matchLabels',
      `selector "${text}" matches no workload in ${ns === ctx.mesh.rootNamespace ? 'the mesh' : `namespace ${ns}`}`));
  }
  return out;
}

/**
 * A Service's stand-in knows only the labels the Service selects on (`app: httpbin`);
 * its pods have more (`version: v1`). A selector may match them when it shares a key
 * with the known labels and contradicts none.
 */
function mayMatch(want: Record<string, string>, known: Record<string, string>): boolean {
  const shared = Object.keys(want).filter((k) => k in known);
  return shared.length > 0 && shared.every((k) => known[k] === want[k]);
}
