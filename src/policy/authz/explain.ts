/**
 * The explain path: every applicable policy and every rule is evaluated (no
 * index), recording for each rule whether it matched or the first field that
 * failed, expected vs actual, plus the policies that do not apply and why. The
 * decision is derived from that trace on its own, so tests can check that it
 * always equals the fast path's.
 */
import { policyApplies } from '../workload.js';
import type { CompiledAuthz, CompiledPolicy, CompiledRule } from './compile.js';
import type { Check, RuleVariant } from './compile-rule.js';
import { auditResults, customResult, dryRunResults, result } from './evaluate.js';
import type { AuthorizeOptions, AuthzDecision, FieldMismatch, RuleTrace, TraceEntry } from './model.js';
import type { Plan } from './plan.js';
import type { RequestContext } from './request-context.js';

export function explainAuthorize(c: CompiledAuthz, ctx: RequestContext, plan: Plan, opts: AuthorizeOptions): AuthzDecision {
  const proto = ctx.req.protocol;
  const trace: TraceEntry[] = [];
  const matched = new Map<CompiledPolicy, CompiledRule[]>();
  for (const p of plan.applicable) {
    const rules = p.rules.map((r) => traceRule(r, proto, ctx));
    matched.set(p, p.rules.filter((_, i) => rules[i]?.matched));
    const scope = policyApplies(p.source, ctx.req.workload, c.mesh);
    trace.push({ policy: p.id, action: p.action, dryRun: p.dryRun, applies: true, scope: scope.applies ? scope.scope : '', rules, note: '' });
  }
  const first = (action: CompiledPolicy['action']): CompiledRule | null => {
    let best: CompiledRule | null = null;
    for (const [p, rs] of matched) {
      if (p.dryRun || p.action !== action) continue;
      for (const r of rs) if (!best || r.order < best.order) best = r;
    }
    return best;
  };
  const audit = auditResults(plan.audit, ctx);
  const dryRun = dryRunResults(plan.dryRun, ctx);
  let d: AuthzDecision;
  const custom = opts.customAllowed ? null : first('CUSTOM');
  const deny = first('DENY');
  const allow = first('ALLOW');
  if (!opts.customAllowed && plan.broken) d = result('DENY', 403, plan.broken.policy, null, plan.broken.reason, audit, dryRun);
  else if (custom) d = customResult(custom, audit, dryRun);
  else if (deny) d = result('DENY', 403, deny.policy.id, deny, `denied by DENY policy ${deny.policy.id}, rule ${deny.index}`, audit, dryRun);
  else if (!plan.hasAllow) d = result('ALLOW', 200, null, null, 'allowed: no ALLOW policy applies to this workload, so requests are allowed by default', audit, dryRun);
  else if (allow) d = result('ALLOW', 200, allow.policy.id, allow, `allowed by ALLOW policy ${allow.policy.id}, rule ${allow.index}`, audit, dryRun);
  else d = result('DENY', 403, null, null, 'denied: ALLOW policies apply to this workload but none of their rules matched', audit, dryRun);
  for (const t of trace) t.note = noteFor(t, d, opts);
  trace.push(...skipped(c, ctx, plan));
  d.trace = trace;
  return d;
}

function traceRule(r: CompiledRule, proto: 'http' | 'tcp', ctx: RequestContext): RuleTrace {
  const v = r[proto];
  if (!v.ok) return { rule: r.index, name: r.name, matched: false, dropped: v.dropped };
  const mismatches = mismatchesOf(v.variant, ctx);
  const t: RuleTrace = { rule: r.index, name: r.name, matched: mismatches.length === 0 };
  if (v.variant.ignored.length) t.ignored = [...v.variant.ignored];
  if (mismatches.length) t.mismatches = mismatches;
  return t;
}

/** The first failing field of each alternative, in the order the rule is evaluated. */
function mismatchesOf(v: RuleVariant, ctx: RequestContext): FieldMismatch[] {
  for (const groups of [v.tos, v.froms]) {
    const fails = groups.map((g) => g.find((c) => !c.test(ctx)));
    if (fails.every((f) => f !== undefined)) return fails.map((f) => describe(f as Check, ctx));
  }
  const w = v.whens.find((c) => !c.test(ctx));
  return w ? [describe(w, ctx)] : [];
}

function describe(c: Check, ctx: RequestContext): FieldMismatch {
  return { field: c.field, attribute: c.attribute, expected: c.expected, negated: c.negated, actual: c.actual(ctx) };
}

function noteFor(t: TraceEntry, d: AuthzDecision, opts: AuthorizeOptions): string {
  const hit = t.rules.find((r) => r.matched);
  if (t.dryRun) return hit ? `dry-run: rule ${hit.rule} matched; it would have ${t.action === 'DENY' ? 'denied' : 'allowed'} this request but has no effect` : 'dry-run: no rule matched; no effect';
  if (t.action === 'AUDIT') return hit ? `AUDIT: rule ${hit.rule} matched; the request is logged, the decision is unchanged` : 'AUDIT: no rule matched';
  if (t.action === 'CUSTOM' && opts.customAllowed) return 'CUSTOM: skipped, the provider already allowed this request';
  if (d.policy === t.policy) return `decided the result (${d.decision})`;
  if (t.rules.length === 0) return t.action === 'ALLOW' ? 'has no rules, so it matches nothing (but still makes ALLOW the required outcome)' : 'has no rules, so it matches nothing';
  if (hit) return `rule ${hit.rule} matched, but ${d.policy ?? 'an earlier step'} decided first`;
  return 'no rule matched';
}

function skipped(c: CompiledAuthz, ctx: RequestContext, plan: Plan): TraceEntry[] {
  const w = ctx.req.workload;
  const out: TraceEntry[] = [];
  const seen = new Set(plan.applicable);
  for (const ns of new Set([c.mesh.rootNamespace, w.namespace])) {
    const b = c.byNamespace.get(ns);
    if (!b) continue;
    for (const p of [...b.unselected, ...b.targeted, ...[...b.byLabel.values()].flat()]) {
      if (seen.has(p)) continue;
      const a = policyApplies(p.source, w, c.mesh);
      out.push({ policy: p.id, action: p.action, dryRun: p.dryRun, applies: false, scope: a.applies ? a.scope : a.reason, rules: [], note: 'does not apply to this workload' });
    }
  }
  return out;
}
