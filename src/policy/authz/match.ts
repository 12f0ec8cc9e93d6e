/**
 * Matching one compiled rule against a request: any `from` alternative, any `to`
 * alternative, and every `when` condition (Istio's AND-of-ORs).
 */
import type { Check, RuleVariant } from './compile-rule.js';
import type { RuleEntry, RuleIndex } from './plan.js';
import type { RequestContext } from './request-context.js';

function allPass(checks: Check[], ctx: RequestContext): boolean {
  for (let i = 0; i < checks.length; i++) if (!(checks[i] as Check).test(ctx)) return false;
  return true;
}

function anyGroup(groups: Check[][], ctx: RequestContext): boolean {
  for (let i = 0; i < groups.length; i++) if (allPass(groups[i] as Check[], ctx)) return true;
  return false;
}

export function variantMatches(v: RuleVariant, ctx: RequestContext): boolean {
  return anyGroup(v.tos, ctx) && anyGroup(v.froms, ctx) && allPass(v.whens, ctx);
}

function scan(list: RuleEntry[] | undefined, best: RuleEntry | null, ctx: RequestContext): RuleEntry | null {
  if (!list) return best;
  for (let i = 0; i < list.length; i++) {
    const e = list[i] as RuleEntry;
    if (best !== null && e.rule.order >= best.rule.order) return best;
    if (variantMatches(e.variant, ctx)) return e;
  }
  return best;
}

/** The first matching rule in Envoy's order, looking only at rules that can match. */
export function firstMatch(idx: RuleIndex, ctx: RequestContext): RuleEntry | null {
  if (idx.size === 0) return null;
  let best = scan(idx.rest, null, ctx);
  if (idx.byPath.size > 0 && ctx.isHttp) best = scan(idx.byPath.get(ctx.path), best, ctx);
  if (idx.bySegment.size > 0 && ctx.isHttp) best = scan(idx.bySegment.get(ctx.pathSegment), best, ctx);
  if (idx.byPrincipal.size > 0 && ctx.principalUri !== undefined) best = scan(idx.byPrincipal.get(ctx.principalUri), best, ctx);
  if (idx.byMethod.size > 0 && ctx.isHttp) best = scan(idx.byMethod.get(ctx.req.http?.method ?? ''), best, ctx);
  return best;
}
