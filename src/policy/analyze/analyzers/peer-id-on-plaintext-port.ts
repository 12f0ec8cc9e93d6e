import type { AuthorizationPolicy, AuthzRule } from '../../../config/kinds.js';
import { effectiveMtls } from '../../mtls/effective-mode.js';
import type { AnalyzeContext } from '../context.js';
import { workloadsOf } from '../context.js';
import { finding, type Finding } from '../finding.js';

const PEER_FIELDS = ['principals', 'namespaces', 'serviceAccounts'] as const;

/** Which peer-identity fields a rule's sources use. */
function peerIdentityFields(rule: AuthzRule): string[] {
  const used = new Set<string>();
  for (const from of rule.from ?? []) for (const f of PEER_FIELDS) if (from.source?.[f]?.length) used.add(f);
  for (const c of rule.when ?? []) if (c.key === 'source.principal' || c.key === 'source.namespace') used.add(c.key);
  return [...used];
}

/**
 * An ALLOW rule naming peer identities on a port that also accepts plaintext:
 * plaintext callers have no identity and can never match, which users often
 * expect the opposite of ("allow default namespace" does not allow legacy clients).
 */
export function peerIdOnPlaintextPort(ctx: AnalyzeContext): Finding[] {
  const out: Finding[] = [];
  for (const ap of ctx.authorizationPolicies) {
    if ((ap.spec.action ?? 'ALLOW') !== 'ALLOW') continue;
    (ap.spec.rules ?? []).forEach((rule, ri) => {
      const fields = peerIdentityFields(rule);
      if (fields.length === 0) return;
      const named = new Set((rule.to ?? []).flatMap((t) => t.operation?.ports ?? []).map(Number));
      const open = ctx.workloadsKnown ? openKnownPorts(ctx, ap, named) : openStandIn(ctx, ap);
      if (open.length === 0) return;
      out.push(finding('MG_ANALYZE_PEER_ID_ON_PLAINTEXT_PORT', ap, `spec.rules[${ri}]`,
        `rule ${ri} matches on ${fields.join(', ')}, but plaintext is accepted on ${open.join(', ')}: plaintext callers have no peer identity and never match this rule`));
    });
  }
  return out;
}

/** `Workload ns/name:port (MODE)` for every selected port that is not STRICT. */
function openKnownPorts(ctx: AnalyzeContext, ap: AuthorizationPolicy, named: Set<number>): string[] {
  const open: string[] = [];
  for (const w of workloadsOf(ctx, ap)) {
    for (const p of w.ports) {
      if (named.size > 0 && !named.has(p.port)) continue;
      const mode = effectiveMtls(ctx.peerAuthentications, ctx.mesh, w, p.port).mode;
      if (mode !== 'STRICT') open.push(`${w.label}:${p.port} (${mode})`);
    }
  }
  return open;
}

/**
 * Without workloads, the workloads the policy selects stand in for themselves: their
 * namespace and the selector's labels, at the workload-level mode (ports unknown).
 */
function openStandIn(ctx: AnalyzeContext, ap: AuthorizationPolicy): string[] {
  if (ap.spec.targetRef || ap.spec.targetRefs?.length) return [];
  const labels = ap.spec.selector?.matchLabels ?? {};
  const mode = effectiveMtls(ctx.peerAuthentications, ctx.mesh, { namespace: ap.metadata.namespace, labels }, 0).mode;
  if (mode === 'STRICT') return [];
  const sel = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
  return [`the workloads it selects in ${ap.metadata.namespace}${sel ? ` {${sel}}` : ''} (${mode})`];
}
