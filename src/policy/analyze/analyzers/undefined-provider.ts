import type { AnalyzeContext } from '../context.js';
import { finding, type Finding } from '../finding.js';

/** CUSTOM policies whose provider the mesh config does not define: Istio silently makes them deny-all. */
export function undefinedProvider(ctx: AnalyzeContext): Finding[] {
  const defined = new Set(ctx.mesh.extensionProviders.map((p) => p.name));
  const out: Finding[] = [];
  for (const ap of ctx.authorizationPolicies) {
    const name = ap.spec.provider?.name;
    if (ap.spec.action !== 'CUSTOM' || name === undefined || defined.has(name)) continue;
    const known = defined.size ? `defined: ${[...defined].join(', ')}` : 'the mesh config defines no extension provider';
    out.push(finding('MG_ANALYZE_UNDEFINED_PROVIDER', ap, 'spec.provider.name',
      `CUSTOM provider "${name}" is not defined (${known}): every request to the workloads this policy selects is denied`));
  }
  return out;
}
