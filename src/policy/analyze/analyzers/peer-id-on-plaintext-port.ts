import type { AuthzRule } from '../../../config/kinds.js';
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
    const workloads = workloadsOf(ctx, ap);
    (ap.spec.rules ?? []).forEach((rule, ri) => {
      const fields = peerIdentityFields(rule);
      if (fields.length === 0) return;
      const named = new Set((rule.to ?? []).flatMap((t) => t.operation?.ports ?? []).map(Number));
      const open: string[] = [];
      for (const w of workloads) {
        for (const p of w.ports) {
          if (named.size > 0 && !named.has(p.port)) continue;
          const mode = effectiveMtls(ctx.peerAuthentications, ctx.mesh, w, p.port).mode;
          if (mode !== 'STRICT') open.push(`${w.label}:${p.port} (${mode})`);
        }
      }
      if (open.length === 0) return;
      out.push(finding('MG_ANALYZE_PEER_ID_ON_PLAINTEXT_PORT', ap, `spec.rules[${ri}]`,
        `rule ${ri} matches on ${fields.join(', ')}, but ${open.join(', ')} accept plaintext: plaintext callers have no peer identity and never match this rule`));
    });
  }
  return out;
}
