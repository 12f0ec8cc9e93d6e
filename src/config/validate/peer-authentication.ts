/** Istio's validation rules for PeerAuthentication (`ValidatePeerAuthentication`). */
import type { ObjectMeta, PeerAuthenticationSpec } from '../kinds.js';
import { checkMetadata, checkWorkloadSelector } from './common.js';
import { findings, type Finding } from './finding.js';

/**
 * All rule violations of one PeerAuthentication. A root-namespace policy with a
 * selector is valid (Istio's analyzer only warns), so it is not reported here.
 *
 * @example
 * validatePeerAuthentication(meta, { portLevelMtls: { '8080': { mode: 'DISABLE' } } })[0]?.rule // 'peer-port-level-needs-selector'
 */
export function validatePeerAuthentication(meta: ObjectMeta, spec: PeerAuthenticationSpec): Finding[] {
  const { list, report } = findings();
  checkMetadata(meta, report);
  checkWorkloadSelector(spec.selector, report);
  const ports = spec.portLevelMtls;
  if (ports !== undefined) {
    const hasLabels = Object.keys(spec.selector?.matchLabels ?? {}).length > 0;
    if (!hasLabels && Object.keys(ports).length > 0) {
      report('peer-port-level-needs-selector', ['spec', 'portLevelMtls'], 'mesh/namespace peer authentication cannot have port level mTLS', 'add `selector.matchLabels` naming the workload whose ports these are');
    }
    if (Object.keys(ports).length === 0) {
      report('peer-port-level-empty', ['spec', 'portLevelMtls'], 'port level mTLS, if defined, must have at least one element');
    }
    for (const port of Object.keys(ports)) {
      const n = Number(port);
      if (!/^\d+$/.test(port) || n < 1 || n > 65_535) {
        report('peer-port-range', ['spec', 'portLevelMtls', port], `port ${JSON.stringify(port)} must be in range 1..65535`);
      }
    }
  }
  return list;
}
