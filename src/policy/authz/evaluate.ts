/**
 * The decision, in Istio's order: CUSTOM → DENY → ALLOW → default (allow when
 * no ALLOW policy applies, else deny). AUDIT and dry-run policies are reported,
 * never deciding. This is the proxy's per-request path: no trace is built
 * unless `explain` is asked for.
 */
import { normalizePath } from '../http/normalize-path.js';
import type { CompiledAuthz, CompiledPolicy, CompiledRule } from './compile.js';
import { explainAuthorize } from './explain.js';
import { variantMatches, firstMatch } from './match.js';
import type { AuditResult, AuthorizeOptions, AuthzDecision, AuthzRequest, DryRunResult } from './model.js';
import { planFor, type Plan } from './plan.js';
import { RequestContext } from './request-context.js';

const NONE: never[] = [];
Object.freeze(NONE);

/**
 * Decide one request.
 *
 * @example
 * const d = authorize(authz, { workload, protocol: 'http', source: {}, destination: { port: 8080 },
 *   http: { method: 'GET', host: 'webapp', path: '/api/catalog', headers: {} } });
 * d.decision // 'ALLOW'
 */
export function authorize(c: CompiledAuthz, req: AuthzRequest, opts?: AuthorizeOptions): AuthzDecision {
  const pre = prepare(c, req);
  if ('decision' in pre) return pre;
  if (opts?.explain) return explainAuthorize(c, pre.ctx, pre.plan, opts);
  return decide(pre.plan, pre.ctx, opts?.customAllowed === true);
}

/** Validate the request, normalize its path, find the workload's plan; or the 400 decision. */
export function prepare(c: CompiledAuthz, req: AuthzRequest): { ctx: RequestContext; plan: Plan } | AuthzDecision {
  if (!req || typeof req !== 'object' || !req.workload || typeof req.workload.namespace !== 'string') {
    throw new TypeError('authorize: request.workload with a namespace is required');
  }
  if (req.protocol !== 'http' && req.protocol !== 'tcp') throw new TypeError('authorize: request.protocol must be "http" or "tcp"');
  if (!req.source || !req.destination) throw new TypeError('authorize: request.source and request.destination are required');
  let path = '';
  if (req.protocol === 'http') {
    if (!req.http || typeof req.http.path !== 'string') throw new TypeError('authorize: HTTP requests need request.http');
    const n = normalizePath(req.http.path, c.mesh.pathNormalization);
    if (!n.ok) return result('DENY', 400, null, null, `request refused before authorization: ${n.reason}`, NONE, NONE);
    path = n.path;
  }
  return { ctx: new RequestContext(req, path), plan: planFor(c, req.workload) };
}

function decide(plan: Plan, ctx: RequestContext, customAllowed: boolean): AuthzDecision {
  const p = ctx.req.protocol === 'http' ? plan.http : plan.tcp;
  const audit = plan.audit.length ? auditResults(plan.audit, ctx) : NONE;
  const dryRun = plan.dryRun.length ? dryRunResults(plan.dryRun, ctx) : NONE;
  if (!customAllowed) {
    if (plan.broken) return result('DENY', 403, plan.broken.policy, null, plan.broken.reason, audit, dryRun);
    const custom = firstMatch(p.custom, ctx);
    if (custom) return customResult(custom.rule, audit, dryRun);
  }
  const deny = firstMatch(p.deny, ctx);
  if (deny) return result('DENY', 403, deny.rule.policy.id, deny.rule, `denied by DENY policy ${deny.rule.policy.id}, rule ${deny.rule.index}`, audit, dryRun);
  if (!plan.hasAllow) return result('ALLOW', 200, null, null, 'allowed: no ALLOW policy applies to this workload, so requests are allowed by default', audit, dryRun);
  const allow = firstMatch(p.allow, ctx);
  if (allow) return result('ALLOW', 200, allow.rule.policy.id, allow.rule, `allowed by ALLOW policy ${allow.rule.policy.id}, rule ${allow.rule.index}`, audit, dryRun);
  return result('DENY', 403, null, null, 'denied: ALLOW policies apply to this workload but none of their rules matched', audit, dryRun);
}

export function result(
  decision: AuthzDecision['decision'],
  status: AuthzDecision['status'],
  policy: string | null,
  rule: CompiledRule | null,
  reason: string,
  audit: AuditResult[],
  dryRun: DryRunResult[],
): AuthzDecision {
  return { decision, status, policy, rule: rule ? rule.index : null, ruleName: rule ? rule.name : null, provider: null, reason, dryRun, audit };
}

export function customResult(rule: CompiledRule, audit: AuditResult[], dryRun: DryRunResult[]): AuthzDecision {
  const d = result('CUSTOM', 'ext-authz', rule.policy.id, rule, `CUSTOM policy ${rule.policy.id}, rule ${rule.index} matched: ask provider "${rule.policy.provider}"`, audit, dryRun);
  d.provider = rule.policy.provider;
  return d;
}

/** The first matching rule of one policy, for AUDIT and dry-run reports. */
export function policyFirstMatch(p: CompiledPolicy, ctx: RequestContext): CompiledRule | null {
  const proto = ctx.req.protocol;
  for (const r of p.rules) {
    const v = r[proto];
    if (v.ok && variantMatches(v.variant, ctx)) return r;
  }
  return null;
}

export function auditResults(policies: CompiledPolicy[], ctx: RequestContext): AuditResult[] {
  const out: AuditResult[] = [];
  for (const p of policies) {
    const r = policyFirstMatch(p, ctx);
    if (r) out.push({ policy: p.id, rule: r.index });
  }
  return out;
}

/**
 * What dry-run policies would have done: a matching DENY would have denied; the
 * dry-run ALLOW policies together would have allowed on a match, else denied
 * (Envoy's shadow engine holds only the dry-run policies of each action).
 */
export function dryRunResults(policies: CompiledPolicy[], ctx: RequestContext): DryRunResult[] {
  const out: DryRunResult[] = [];
  const allows = policies.filter((p) => p.action === 'ALLOW');
  let allowMatched = false;
  for (const p of policies) {
    const r = policyFirstMatch(p, ctx);
    if (p.action === 'DENY' && r) out.push({ policy: p.id, rule: r.index, wouldHave: 'DENY' });
    if (p.action === 'ALLOW' && r) {
      out.push({ policy: p.id, rule: r.index, wouldHave: 'ALLOW' });
      allowMatched = true;
    }
  }
  if (!allowMatched) for (const p of allows) out.push({ policy: p.id, rule: null, wouldHave: 'DENY' });
  return out;
}
