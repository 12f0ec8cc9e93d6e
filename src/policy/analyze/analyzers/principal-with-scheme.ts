import type { AnalyzeContext } from '../context.js';
import { finding, type Finding } from '../finding.js';

const PRINCIPAL_FIELDS = ['principals', 'notPrincipals'] as const;

/** `spiffe://` in a principal: Istio prepends the scheme itself, so the value can never match. */
export function principalWithScheme(ctx: AnalyzeContext): Finding[] {
  const out: Finding[] = [];
  for (const ap of ctx.authorizationPolicies) {
    (ap.spec.rules ?? []).forEach((rule, ri) => {
      (rule.from ?? []).forEach((from, fi) => {
        for (const field of PRINCIPAL_FIELDS) {
          (from.source?.[field] ?? []).forEach((value, vi) => {
            if (!value.startsWith('spiffe://')) return;
            out.push(finding('MG_ANALYZE_PRINCIPAL_WITH_SCHEME', ap, `spec.rules[${ri}].from[${fi}].source.${field}[${vi}]`,
              `principal "${value}" is written with spiffe:// and never matches; write "${value.slice('spiffe://'.length)}"`));
          });
        }
      });
      (rule.when ?? []).forEach((cond, ci) => {
        if (cond.key !== 'source.principal') return;
        [...(cond.values ?? []), ...(cond.notValues ?? [])].forEach((value) => {
          if (!value.startsWith('spiffe://')) return;
          out.push(finding('MG_ANALYZE_PRINCIPAL_WITH_SCHEME', ap, `spec.rules[${ri}].when[${ci}]`,
            `source.principal value "${value}" is written with spiffe:// and never matches`));
        });
      });
    });
  }
  return out;
}
