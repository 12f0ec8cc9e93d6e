import type { AnalyzeContext } from '../context.js';
import { finding, type Finding } from '../finding.js';

/**
 * Two PeerAuthentication habits that bite: a mesh-wide PERMISSIVE (plaintext accepted
 * everywhere), and a selector on a root-namespace policy, which Istio ignores.
 */
export function peerAuthenticationScope(ctx: AnalyzeContext): Finding[] {
  const out: Finding[] = [];
  for (const pa of ctx.peerAuthentications) {
    if (pa.metadata.namespace !== ctx.mesh.rootNamespace) continue;
    const hasSelector = Object.keys(pa.spec.selector?.matchLabels ?? {}).length > 0;
    if (hasSelector) {
      out.push(finding('MG_ANALYZE_ROOT_SELECTOR_IGNORED', pa, 'spec.selector',
        `PeerAuthentication ${pa.metadata.name} is in the root namespace ${ctx.mesh.rootNamespace} and has a selector: it is ignored`));
    } else if (pa.spec.mtls?.mode === 'PERMISSIVE') {
      out.push(finding('MG_ANALYZE_MESH_PERMISSIVE', pa, 'spec.mtls.mode',
        `mesh-wide PeerAuthentication ${pa.metadata.name} is PERMISSIVE: workloads without a stricter policy accept plaintext`));
    }
  }
  return out;
}
