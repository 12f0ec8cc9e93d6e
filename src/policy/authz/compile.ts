/**
 * AuthorizationPolicies → a structure that is built once per configuration and
 * answers many decisions cheaply: rules compiled to closures, policies indexed
 * by namespace and by their first selector label, per-workload plans cached.
 */
import type { AuthorizationAction, AuthorizationPolicy, MeshConfig } from '../../config/kinds.js';
import type { WorkloadRef } from '../workload.js';
import { compileRule, type RuleForProtocol } from './compile-rule.js';
import { AUTHZ_ERROR_CODES as CODES, AuthzPolicyError } from './errors.js';
import type { Plan } from './plan.js';
import { ruleName } from './rule-name.js';

/** Istio's annotation that turns a policy into a report-only ("would have") policy. */
export const DRY_RUN_ANNOTATION = 'istio.io/dry-run';
const ACTIONS: readonly AuthorizationAction[] = ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'];

export interface CompiledRule {
  readonly policy: CompiledPolicy;
  readonly index: number;
  readonly name: string;
  /**
   * Position in the order Envoy's RBAC engine tries policies (a map sorted by
   * generated name), which decides which rule is reported when several match.
   */
  order: number;
  readonly http: RuleForProtocol;
  readonly tcp: RuleForProtocol;
}

export interface CompiledPolicy {
  readonly source: AuthorizationPolicy;
  /** `ns/name`. */
  readonly id: string;
  readonly action: AuthorizationAction;
  readonly dryRun: boolean;
  readonly provider: string | null;
  /** Set when the policy must deny every request it selects (bad provider or action). */
  readonly broken: string | null;
  readonly rules: CompiledRule[];
}

interface NamespaceBucket {
  /** Policies without selector or targetRefs, or with an empty selector. */
  unselected: CompiledPolicy[];
  /** Keyed `label=value` of the selector's first label. */
  byLabel: Map<string, CompiledPolicy[]>;
  targeted: CompiledPolicy[];
}

export interface CompiledAuthz {
  readonly mesh: MeshConfig;
  readonly policies: readonly CompiledPolicy[];
  /** Every problem found, with the fail-closed effect it has on decisions. */
  readonly issues: readonly AuthzPolicyError[];
  readonly byNamespace: ReadonlyMap<string, NamespaceBucket>;
  /** Plans per workload object (the proxy passes the same WorkloadRef each time). */
  readonly plansByRef: WeakMap<WorkloadRef, Plan>;
  readonly plansByKey: Map<string, Plan>;
}

/**
 * Compile policies for repeated {@link authorize} calls. Never throws on bad
 * policy content: problems land in `issues` and fail closed.
 *
 * @example
 * const authz = compileAuthorization(policies, DEFAULT_MESH_CONFIG);
 * authorize(authz, request).decision // 'ALLOW' | 'DENY' | 'CUSTOM'
 */
export function compileAuthorization(policies: readonly AuthorizationPolicy[], mesh: MeshConfig): CompiledAuthz {
  if (!Array.isArray(policies)) throw new TypeError('compileAuthorization: policies must be an array');
  const issues: AuthzPolicyError[] = [];
  const compiled = policies.map((p) => compilePolicy(p, mesh, issues));
  const allRules = compiled.flatMap((p) => p.rules);
  allRules.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  allRules.forEach((r, i) => (r.order = i));
  return { mesh, policies: compiled, issues, byNamespace: indexByNamespace(compiled), plansByRef: new WeakMap(), plansByKey: new Map() };
}

function compilePolicy(p: AuthorizationPolicy, mesh: MeshConfig, issues: AuthzPolicyError[]): CompiledPolicy {
  const ns = p.metadata.namespace;
  const id = `${ns}/${p.metadata.name}`;
  const spec = (p.spec ?? {}) as AuthorizationPolicy['spec'];
  let broken: string | null = null;
  let action = spec.action ?? 'ALLOW';
  if (!ACTIONS.includes(action)) {
    issues.push(new AuthzPolicyError(CODES.invalidPolicy, id, 'spec.action', `unknown action "${String(action)}"`, 'denies-all'));
    broken = `policy ${id} has an unknown action "${String(action)}", so every request it selects is denied`;
    action = 'DENY';
  }
  const provider = typeof spec.provider?.name === 'string' ? spec.provider.name : null;
  if (action === 'CUSTOM' && !broken) broken = checkProvider(id, provider, mesh, issues);
  if (action !== 'CUSTOM' && spec.provider !== undefined) {
    issues.push(new AuthzPolicyError(CODES.invalidPolicy, id, 'spec.provider', 'provider is only used with action CUSTOM', 'none'));
  }
  const policy: CompiledPolicy = { source: p, id, action, dryRun: isDryRun(p), provider, broken, rules: [] };
  let rules: unknown[] = [];
  if (Array.isArray(spec.rules)) rules = spec.rules;
  else if (spec.rules !== undefined && spec.rules !== null) {
    // Fail closed: an ALLOW policy with unreadable rules allows nothing; any other action matches everything.
    const effect = action === 'ALLOW' ? 'rule-dropped' : 'denies-all';
    issues.push(new AuthzPolicyError(CODES.invalidPolicy, id, 'spec.rules', 'must be a list of rules', effect));
    rules = action === 'ALLOW' ? [] : [{}];
  }
  rules.forEach((r, i) => {
    const scope = { policy: id, namespace: ns, action, mesh, issues };
    const http = compileRule(r, i, { ...scope, protocol: 'http' });
    const tcp = compileRule(r, i, { ...scope, protocol: 'tcp' });
    policy.rules.push({ policy, index: i, name: ruleName(ns, p.metadata.name, i), order: 0, http, tcp });
  });
  return policy;
}

function checkProvider(id: string, provider: string | null, mesh: MeshConfig, issues: AuthzPolicyError[]): string | null {
  if (provider === null) {
    issues.push(new AuthzPolicyError(CODES.unknownProvider, id, 'spec.provider', 'action CUSTOM needs provider.name', 'denies-all'));
    return `CUSTOM policy ${id} names no provider, so every request it selects is denied`;
  }
  if (!mesh.extensionProviders.some((e) => e.name === provider)) {
    issues.push(new AuthzPolicyError(CODES.unknownProvider, id, 'spec.provider.name', `provider "${provider}" is not in meshConfig.extensionProviders`, 'denies-all'));
    return `CUSTOM policy ${id} names provider "${provider}", which is not defined in meshConfig.extensionProviders, so every request it selects is denied`;
  }
  return null;
}

/** Istio reads the annotation as a Go bool. */
function isDryRun(p: AuthorizationPolicy): boolean {
  const v = p.metadata.annotations?.[DRY_RUN_ANNOTATION];
  return v !== undefined && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);
}

function indexByNamespace(policies: CompiledPolicy[]): Map<string, NamespaceBucket> {
  const out = new Map<string, NamespaceBucket>();
  for (const p of policies) {
    const ns = p.source.metadata.namespace;
    let b = out.get(ns);
    if (!b) out.set(ns, (b = { unselected: [], byLabel: new Map(), targeted: [] }));
    const spec = p.source.spec ?? {};
    const first = Object.entries(spec.selector?.matchLabels ?? {})[0];
    if (spec.targetRef || (spec.targetRefs && spec.targetRefs.length > 0)) b.targeted.push(p);
    else if (first) {
      const key = `${first[0]}=${first[1]}`;
      const list = b.byLabel.get(key);
      if (list) list.push(p);
      else b.byLabel.set(key, [p]);
    } else b.unselected.push(p);
  }
  return out;
}
