/**
 * Which policies apply to one workload (Istio's rule, via `policyApplies`), and
 * for each protocol an index of their rules by exact path, principal and method
 * so a decision only looks at rules that can match. Built once per workload.
 */
import { policyApplies, type WorkloadRef } from '../workload.js';
import type { CompiledAuthz, CompiledPolicy, CompiledRule } from './compile.js';
import { SLOT } from './attributes.js';
import type { Check, RuleVariant } from './compile-rule.js';

export interface RuleEntry {
  readonly rule: CompiledRule;
  readonly variant: RuleVariant;
}

/**
 * Rules in Envoy's order, plus for each a necessary condition kept in flat
 * arrays (one inline comparison; slot -1 when none), so a scan over thousands
 * of rules rejects most of them without touching their objects.
 */
export interface RuleList {
  entries: RuleEntry[];
  pfSlot: number[];
  pfOp: number[];
  pfLit: string[];
}

export interface RuleIndex {
  byPath: Map<string, RuleList>;
  /** Rules whose paths all fix the first segment (`/api/*`), keyed `/api`. */
  bySegment: Map<string, RuleList>;
  byPrincipal: Map<string, RuleList>;
  byMethod: Map<string, RuleList>;
  rest: RuleList;
  size: number;
}

export interface ProtocolPlan {
  custom: RuleIndex;
  deny: RuleIndex;
  allow: RuleIndex;
}

export interface Plan {
  /** Applicable policies, in rule-name order of their first rule. */
  readonly applicable: CompiledPolicy[];
  readonly hasAllow: boolean;
  /** The first broken CUSTOM (or unreadable) policy, or why several providers clash. */
  readonly broken: { policy: string; reason: string } | null;
  readonly audit: CompiledPolicy[];
  readonly dryRun: CompiledPolicy[];
  readonly http: ProtocolPlan;
  readonly tcp: ProtocolPlan;
}

const MAX_KEYED_PLANS = 4096;

/** The plan for `workload`, from cache when possible. */
export function planFor(c: CompiledAuthz, workload: WorkloadRef): Plan {
  const cached = c.plansByRef.get(workload);
  if (cached) return cached;
  const key = workloadKey(workload);
  let plan = c.plansByKey.get(key);
  if (!plan) {
    plan = buildPlan(c, workload);
    if (c.plansByKey.size >= MAX_KEYED_PLANS) c.plansByKey.clear();
    c.plansByKey.set(key, plan);
  }
  c.plansByRef.set(workload, plan);
  return plan;
}

function workloadKey(w: WorkloadRef): string {
  const labels = Object.keys(w.labels).sort().map((k) => `${k}=${w.labels[k]}`);
  return JSON.stringify([w.namespace, labels, w.services ?? [], w.gateways ?? []]);
}

/** Policies in the root namespace or the workload's that could select it (cheap pre-filter). */
export function candidatePolicies(c: CompiledAuthz, w: WorkloadRef): CompiledPolicy[] {
  const out: CompiledPolicy[] = [];
  const namespaces = w.namespace === c.mesh.rootNamespace ? [w.namespace] : [c.mesh.rootNamespace, w.namespace];
  for (const ns of namespaces) {
    const b = c.byNamespace.get(ns);
    if (!b) continue;
    out.push(...b.unselected, ...b.targeted);
    for (const k in w.labels) out.push(...(b.byLabel.get(`${k}=${w.labels[k]}`) ?? []));
  }
  return out;
}

function buildPlan(c: CompiledAuthz, w: WorkloadRef): Plan {
  const applicable = candidatePolicies(c, w).filter((p) => policyApplies(p.source, w, c.mesh).applies);
  applicable.sort((a, b) => firstOrder(a) - firstOrder(b));
  const live = applicable.filter((p) => !p.dryRun);
  const providers = new Set(live.filter((p) => p.action === 'CUSTOM' && p.provider).map((p) => p.provider));
  const brokenPolicy = live.find((p) => p.broken !== null);
  let broken = brokenPolicy ? { policy: brokenPolicy.id, reason: brokenPolicy.broken as string } : null;
  if (!broken && providers.size > 1) {
    // Istio supports one ext_authz provider per workload; it fails closed on more.
    const first = live.find((p) => p.action === 'CUSTOM') as CompiledPolicy;
    broken = { policy: first.id, reason: `CUSTOM policies name ${providers.size} providers (${[...providers].join(', ')}) for this workload; only one is supported, so every request is denied` };
  }
  return {
    applicable,
    hasAllow: live.some((p) => p.action === 'ALLOW'),
    broken,
    audit: live.filter((p) => p.action === 'AUDIT'),
    dryRun: applicable.filter((p) => p.dryRun && (p.action === 'ALLOW' || p.action === 'DENY')),
    http: protocolPlan(live, 'http'),
    tcp: protocolPlan(live, 'tcp'),
  };
}

function firstOrder(p: CompiledPolicy): number {
  return p.rules[0]?.order ?? Number.MAX_SAFE_INTEGER;
}

function protocolPlan(live: CompiledPolicy[], protocol: 'http' | 'tcp'): ProtocolPlan {
  return {
    custom: buildIndex(live.filter((p) => p.action === 'CUSTOM'), protocol),
    deny: buildIndex(live.filter((p) => p.action === 'DENY'), protocol),
    allow: buildIndex(live.filter((p) => p.action === 'ALLOW'), protocol),
  };
}

/** Entries of the policies' usable rules for `protocol`, in Envoy's order. */
export function ruleEntries(policies: CompiledPolicy[], protocol: 'http' | 'tcp'): RuleEntry[] {
  const entries: RuleEntry[] = [];
  for (const p of policies) {
    for (const r of p.rules) {
      const v = r[protocol];
      if (v.ok) entries.push({ rule: r, variant: v.variant });
    }
  }
  return entries.sort((a, b) => a.rule.order - b.rule.order);
}

function buildIndex(policies: CompiledPolicy[], protocol: 'http' | 'tcp'): RuleIndex {
  const idx: RuleIndex = { byPath: new Map(), bySegment: new Map(), byPrincipal: new Map(), byMethod: new Map(), rest: newList(), size: 0 };
  for (const e of ruleEntries(policies, protocol)) {
    idx.size++;
    const key = indexKeys(e.variant);
    if (!key) {
      pushEntry(idx.rest, e);
      continue;
    }
    const map = { path: idx.byPath, segment: idx.bySegment, principal: idx.byPrincipal, method: idx.byMethod }[key.on];
    for (const k of key.keys) {
      let list = map.get(k);
      if (!list) map.set(k, (list = newList()));
      if (list.entries[list.entries.length - 1] !== e) pushEntry(list, e);
    }
  }
  return idx;
}

function newList(): RuleList {
  return { entries: [], pfSlot: [], pfOp: [], pfLit: [] };
}

function pushEntry(list: RuleList, e: RuleEntry): void {
  const pf = prefilterOf(e.variant);
  list.entries.push(e);
  list.pfSlot.push(pf ? pf.slot : -1);
  list.pfOp.push(pf ? (pf.ops[0] as number) : 0);
  list.pfLit.push(pf ? (pf.lits[0] as string) : '');
}

/** A single-literal positive check every alternative of the rule must pass, paths first. */
function prefilterOf(v: RuleVariant): Check | undefined {
  const candidates = [...(v.tos.length === 1 ? (v.tos[0] as Check[]) : []), ...(v.froms.length === 1 ? (v.froms[0] as Check[]) : []), ...v.whens];
  const usable = candidates.filter((c) => !c.negated && c.slot >= 0 && c.ops.length === 1 && (c.ops[0] as number) <= 2);
  return usable.find((c) => c.slot === SLOT.path) ?? usable[0];
}

/**
 * A rule can be pre-selected on an attribute when every alternative of the
 * group that carries it requires one of a set of exact values.
 */
function indexKeys(v: RuleVariant): { on: 'path' | 'segment' | 'principal' | 'method'; keys: string[] } | null {
  for (const on of ['path', 'segment', 'principal', 'method'] as const) {
    const groups = on === 'principal' ? v.froms : v.tos;
    const keys: string[] = [];
    let ok = groups.length > 0;
    for (const g of groups) {
      const found = on === 'segment' ? g.find((x) => x.segments)?.segments : g.find((x) => x.index?.on === on)?.index?.keys;
      if (!found) {
        ok = false;
        break;
      }
      keys.push(...found);
    }
    if (ok) return { on, keys };
  }
  return null;
}
