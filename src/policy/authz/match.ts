/**
 * Matching one compiled rule against a request: any `from` alternative, any `to`
 * alternative, and every `when` condition (Istio's AND-of-ORs).
 */
import type { Check, RuleVariant } from './compile-rule.js';
import type { RuleEntry, RuleIndex, RuleList } from './plan.js';
import type { RequestContext } from './request-context.js';

function passes(c: Check, ctx: RequestContext): boolean {
  if (c.slot < 0) return c.test(ctx);
  const a = ctx.slots[c.slot];
  let hit = false;
  if (a !== undefined) {
    const ops = c.ops;
    const lits = c.lits;
    for (let i = 0; i < ops.length && !hit; i++) {
      const op = ops[i];
      const l = lits[i] as string;
      hit = op === 0 ? a === l : op === 1 ? a.startsWith(l) : op === 2 ? a.endsWith(l) : op === 3 ? a.length > 0 : true;
    }
  }
  return hit !== c.negated;
}

function allPass(checks: Check[], ctx: RequestContext): boolean {
  for (let i = 0; i < checks.length; i++) if (!passes(checks[i] as Check, ctx)) return false;
  return true;
}

function anyGroup(groups: Check[][], ctx: RequestContext): boolean {
  for (let i = 0; i < groups.length; i++) if (allPass(groups[i] as Check[], ctx)) return true;
  return false;
}

export function variantMatches(v: RuleVariant, ctx: RequestContext): boolean {
  return anyGroup(v.tos, ctx) && anyGroup(v.froms, ctx) && allPass(v.whens, ctx);
}

function scan(list: RuleList | undefined, best: RuleEntry | null, ctx: RequestContext): RuleEntry | null {
  if (!list) return best;
  const { entries, pfSlot, pfOp, pfLit } = list;
  const slots = ctx.slots;
  const bestOrder = best === null ? Number.MAX_SAFE_INTEGER : best.rule.order;
  for (let i = 0; i < entries.length; i++) {
    const slot = pfSlot[i] as number;
    if (slot >= 0) {
      // Necessary condition first, from flat arrays: most rules stop here.
      const a = slots[slot];
      if (a === undefined) continue;
      const op = pfOp[i];
      const l = pfLit[i] as string;
      if (!(op === 0 ? a === l : op === 1 ? a.startsWith(l) : a.endsWith(l))) continue;
    }
    const e = entries[i] as RuleEntry;
    if (e.rule.order >= bestOrder) return best;
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
  if (idx.byMethod.size > 0 && ctx.isHttp) best = scan(idx.byMethod.get(ctx.method ?? ''), best, ctx);
  return best;
}
