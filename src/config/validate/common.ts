/**
 * Checks shared by the security kinds, as Istio's `pkg/config/validation`
 * applies them: names and namespaces are DNS labels, selectors have no
 * wildcards, `selector` and `targetRef(s)` exclude each other, targetRefs name
 * a Service, ServiceEntry or Gateway in the policy's own namespace.
 */
import type { ObjectMeta, PolicyTargetReference, WorkloadSelector } from '../kinds.js';
import type { Report } from './finding.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Kubernetes: a namespace is a DNS-1123 label; most object names are DNS-1123 subdomains. */
export function checkMetadata(meta: ObjectMeta, report: Report): void {
  if (meta.name.length > 253 || !DNS1123_SUBDOMAIN.test(meta.name)) {
    report('metadata-name', ['metadata', 'name'], `name ${JSON.stringify(meta.name)} is not a valid DNS-1123 name`, 'lower-case letters, digits, `-` and `.`, starting and ending with a letter or digit');
  }
  if (meta.namespace.length > 63 || !DNS1123_LABEL.test(meta.namespace)) {
    report('metadata-namespace', ['metadata', 'namespace'], `namespace ${JSON.stringify(meta.namespace)} is not a valid DNS-1123 label`, 'lower-case letters, digits and `-`, at most 63 characters');
  }
}

export function checkWorkloadSelector(selector: WorkloadSelector | undefined, report: Report): void {
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) {
    if (k === '') report('selector-empty-key', ['spec', 'selector', 'matchLabels', k], 'empty key is not supported in selector');
    if (k.includes('*') || v.includes('*')) {
      report('selector-wildcard', ['spec', 'selector', 'matchLabels', k], `wildcard is not supported in selector: "${k}=${v}"`, 'name the exact label value');
    }
  }
}

// Istio accepts targetRefs to these group/kind pairs only (group "" is core).
const ALLOWED_TARGETS = new Set(['/Service', 'networking.istio.io/ServiceEntry', 'gateway.networking.k8s.io/Gateway']);

function checkTargetRef(ref: PolicyTargetReference, path: (string | number)[], report: Report): void {
  if (ref.name === '') report('target-ref-name', [...path, 'name'], 'targetRef name must be set');
  if (ref.namespace) {
    report('target-ref-namespace', [...path, 'namespace'], 'targetRef namespace must not be set; cross namespace referencing is not supported', 'remove `namespace`: the policy\'s own namespace is used');
  }
  const group = ref.group ?? '';
  if (!ALLOWED_TARGETS.has(`${group === 'core' ? '' : group}/${ref.kind}`)) {
    report('target-ref-kind', [...path, 'kind'], `targetRef must be to a Service, ServiceEntry or Gateway, not ${group}/${ref.kind}`, 'kind Service (group ""), ServiceEntry (networking.istio.io) or Gateway (gateway.networking.k8s.io)');
  }
}

export function checkTargets(
  spec: { selector?: WorkloadSelector; targetRef?: PolicyTargetReference; targetRefs?: PolicyTargetReference[] },
  report: Report,
): void {
  const set = [spec.selector !== undefined, spec.targetRef !== undefined, (spec.targetRefs?.length ?? 0) > 0].filter(Boolean).length;
  if (set > 1) {
    const at = spec.targetRef ? 'targetRef' : 'targetRefs';
    report('selector-or-target-ref', ['spec', at], 'only one of targetRefs or workloadSelector can be set', 'keep either `selector` or `targetRef(s)`');
  }
  checkWorkloadSelector(spec.selector, report);
  if (spec.targetRef) checkTargetRef(spec.targetRef, ['spec', 'targetRef'], report);
  spec.targetRefs?.forEach((r, i) => checkTargetRef(r, ['spec', 'targetRefs', i], report));
}
