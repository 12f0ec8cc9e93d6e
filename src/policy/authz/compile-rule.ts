/**
 * One AuthorizationPolicy rule → checks, for one protocol, failing closed the
 * way Istio's builder does (`authz/model/model.go`, `checkError`):
 *
 * - ALLOW: a field that cannot be built (bad value, unknown key, HTTP-only field
 *   on TCP) drops the whole rule, so it can never allow.
 * - DENY / AUDIT / CUSTOM: that field (or value) is ignored, so the rule matches
 *   more widely (a DENY on TCP keeps only its TCP fields and denies more).
 */
import type { AuthorizationAction, MeshConfig } from '../../config/kinds.js';
import * as A from './attributes.js';
import type { Attribute, Probe } from './attributes.js';
import { AUTHZ_ERROR_CODES as CODES, AuthzPolicyError, type AuthzErrorCode, type AuthzIssueEffect } from './errors.js';
import type { RequestContext } from './request-context.js';

/** One compiled field test (`values` or `notValues` of one field). */
export interface Check {
  field: string;
  attribute: string;
  expected: string[];
  negated: boolean;
  /** True when the check passes (negation applied). */
  test: Probe;
  actual: (ctx: RequestContext) => string;
  /** Exact lookup keys when this positive check can pre-select the rule. */
  index?: { on: 'path' | 'principal' | 'method'; keys: string[] };
  /** First-path-segment keys (paths only) when every value fixes the first segment. */
  segments?: string[];
  /** `-1`, or the slot the inline comparisons in `ops`/`lits` read (see attributes.ts `Inline`). */
  slot: number;
  ops: number[];
  lits: string[];
}

/** A rule ready to match: any `from` group AND any `to` group AND every `when`. */
export interface RuleVariant {
  froms: Check[][];
  tos: Check[][];
  whens: Check[];
  /** Fields ignored for this protocol (DENY-like rules only). */
  ignored: string[];
}

export type RuleForProtocol = { ok: true; variant: RuleVariant } | { ok: false; dropped: string };

export interface RuleScope {
  policy: string;
  namespace: string;
  action: AuthorizationAction;
  protocol: 'http' | 'tcp';
  mesh: MeshConfig;
  /** Collects problems; only the `http` pass records protocol-independent ones. */
  issues: AuthzPolicyError[];
}

type FieldSpec = [values: string, notValues: string, attr: (s: RuleScope) => Attribute, isPrincipal?: boolean];

const SOURCE_FIELDS: FieldSpec[] = [
  ['principals', 'notPrincipals', () => A.PRINCIPAL, true],
  ['requestPrincipals', 'notRequestPrincipals', () => A.REQUEST_PRINCIPAL],
  ['namespaces', 'notNamespaces', () => A.NAMESPACE],
  ['serviceAccounts', 'notServiceAccounts', (s) => A.serviceAccountAttr(s.namespace)],
  ['ipBlocks', 'notIpBlocks', () => A.SOURCE_IP],
  ['remoteIpBlocks', 'notRemoteIpBlocks', () => A.REMOTE_IP],
];

const OPERATION_FIELDS: FieldSpec[] = [
  ['hosts', 'notHosts', () => A.HOST],
  ['methods', 'notMethods', () => A.METHOD],
  ['paths', 'notPaths', () => A.PATH],
  ['ports', 'notPorts', () => A.DESTINATION_PORT],
];

class Dropped extends Error {}

/**
 * Compile `spec.rules[index]` for one protocol.
 *
 * @example
 * compileRule({ to: [{ operation: { paths: ['/api*'] } }] }, 0, scope) // { ok: true, variant }
 */
export function compileRule(rule: unknown, index: number, scope: RuleScope): RuleForProtocol {
  const base = `spec.rules[${index}]`;
  const variant: RuleVariant = { froms: [], tos: [], whens: [], ignored: [] };
  try {
    if (!isObject(rule)) {
      fail(scope, CODES.invalidPolicy, base, 'a rule must be a mapping');
      return { ok: true, variant: { froms: [[]], tos: [[]], whens: [], ignored: [base] } };
    }
    variant.froms = compileGroups(rule['from'], 'from', 'source', SOURCE_FIELDS, base, scope, variant);
    variant.tos = compileGroups(rule['to'], 'to', 'operation', OPERATION_FIELDS, base, scope, variant);
    variant.whens = compileWhen(rule['when'], base, scope, variant);
    return { ok: true, variant };
  } catch (e) {
    if (e instanceof Dropped) return { ok: false, dropped: e.message };
    throw e;
  }
}

function compileGroups(list: unknown, key: 'from' | 'to', inner: 'source' | 'operation', fields: FieldSpec[], base: string, scope: RuleScope, v: RuleVariant): Check[][] {
  if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) return [[]];
  if (!Array.isArray(list)) {
    fail(scope, CODES.invalidPolicy, `${base}.${key}`, 'must be a list');
    return [[]];
  }
  return list.map((entry: unknown, i) => {
    const path = `${base}.${key}[${i}].${inner}`;
    const body = isObject(entry) ? entry[inner] : undefined;
    if (!isObject(body) || Object.keys(body).length === 0) {
      // Istio's validation refuses an empty source/operation; its builder treats it as "any".
      fail(scope, CODES.invalidPolicy, path, `\`${key}.${inner}\` must not be empty`, 'none');
      return [];
    }
    const known = new Set(fields.flatMap(([a, b]) => [a, b]));
    for (const k of Object.keys(body)) if (!known.has(k)) fail(scope, CODES.invalidPolicy, `${path}.${k}`, `unknown field "${k}"`, effectOf(scope));
    const checks: Check[] = [];
    for (const [vk, nk, attr, isPrincipal] of fields) {
      const a = attr(scope);
      addField(checks, body[vk], a, `${path}.${vk}`, `${key}[${i}].${inner}.${vk}`, false, scope, v, isPrincipal);
      addField(checks, body[nk], a, `${path}.${nk}`, `${key}[${i}].${inner}.${nk}`, true, scope, v, isPrincipal);
    }
    return checks;
  });
}

function compileWhen(list: unknown, base: string, scope: RuleScope, v: RuleVariant): Check[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    fail(scope, CODES.invalidPolicy, `${base}.when`, 'must be a list');
    return [];
  }
  const checks: Check[] = [];
  list.forEach((cond: unknown, i) => {
    const path = `${base}.when[${i}]`;
    if (!isObject(cond) || typeof cond['key'] !== 'string') {
      fail(scope, CODES.invalidPolicy, path, 'a condition needs a string `key`');
      return;
    }
    const key = cond['key'];
    if (cond['values'] === undefined && cond['notValues'] === undefined) {
      fail(scope, CODES.invalidPolicy, path, `condition "${key}" needs values or notValues`, 'none');
    }
    const attr = conditionAttribute(key, scope.namespace);
    if (typeof attr === 'string') {
      fail(scope, attr.startsWith('unsupported') ? CODES.unsupported : CODES.unknownCondition, `${path}.key`, attr);
      return;
    }
    const isPrincipal = key === 'source.principal';
    addField(checks, cond['values'], attr, `${path}.values`, `when[${i}] ${key}`, false, scope, v, isPrincipal);
    addField(checks, cond['notValues'], attr, `${path}.notValues`, `when[${i}] ${key}`, true, scope, v, isPrincipal);
  });
  return checks;
}

function addField(out: Check[], raw: unknown, attr: Attribute, path: string, field: string, negated: boolean, scope: RuleScope, v: RuleVariant, isPrincipal?: boolean): void {
  if (raw === undefined || raw === null) return;
  if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string' || x.length === 0)) {
    fail(scope, CODES.invalidPolicy, path, 'must be a list of non-empty strings');
    return;
  }
  if (raw.length === 0) return;
  if (scope.protocol === 'tcp' && attr.httpOnly) {
    if (scope.action === 'ALLOW') throw new Dropped(`${field} is HTTP-only, so this ALLOW rule is removed for TCP traffic`);
    v.ignored.push(field);
    return;
  }
  let values = raw as string[];
  if (isPrincipal) {
    if (scope.protocol === 'http') {
      for (const p of values) if (p.startsWith('spiffe://')) fail(scope, CODES.invalidValue, path, `"${p}" never matches: principals are written without "spiffe://" (Istio adds it)`, 'none');
    }
    values = expandTrustDomainAliases(values, scope.mesh);
  }
  const compiled = attr.compile(values);
  for (const e of compiled.errors) fail(scope, CODES.invalidValue, path, e.message, scope.action === 'ALLOW' ? 'rule-dropped' : 'value-ignored');
  if (compiled.errors.length > 0 && compiled.errors.length === values.length) return; // non-ALLOW: field ignored
  const test = compiled.test;
  out.push({
    field,
    attribute: attr.name,
    expected: values,
    negated,
    test: negated ? (ctx) => !test(ctx) : test,
    actual: attr.actual,
    index: !negated && compiled.exact && attr.index ? { on: attr.index, keys: compiled.exact } : undefined,
    segments: negated ? undefined : compiled.segments,
    slot: compiled.inline?.slot ?? -1,
    ops: compiled.inline?.ops ?? [],
    lits: compiled.inline?.lits ?? [],
  });
}

/** The attribute a `when` key names, or why it cannot be used. */
export function conditionAttribute(key: string, policyNamespace: string): Attribute | string {
  switch (key) {
    case 'source.ip': return A.SOURCE_IP;
    case 'remote.ip': return A.REMOTE_IP;
    case 'source.namespace': return A.NAMESPACE;
    case 'source.principal': return A.PRINCIPAL;
    case 'source.serviceAccount': return A.serviceAccountAttr(policyNamespace);
    case 'request.auth.principal': return A.REQUEST_PRINCIPAL;
    case 'request.auth.audiences': return A.AUDIENCES;
    case 'request.auth.presenter': return A.PRESENTER;
    case 'destination.ip': return A.DESTINATION_IP;
    case 'destination.port': return A.DESTINATION_PORT;
    case 'connection.sni': return A.SNI;
  }
  if (key.startsWith('request.headers')) {
    const m = /^request\.headers\[([^[\]]+)\]$/.exec(key);
    return m ? A.headerAttr(key, m[1] as string) : `invalid key "${key}": write request.headers[<name>]`;
  }
  if (key.startsWith('request.auth.claims')) {
    const rest = key.slice('request.auth.claims'.length);
    const names = /^(\[[^[\]]+\])+$/.test(rest) ? rest.slice(1, -1).split('][') : null;
    return names ? A.claimAttr(key, names) : `invalid key "${key}": write request.auth.claims[<name>] or [<a>][<b>]`;
  }
  if (key.startsWith('experimental.envoy.filters.')) return `unsupported key "${key}": meshguard has no Envoy filter metadata to match`;
  return `unknown condition key "${key}"`;
}

/**
 * Istio's trust-domain aliasing: a principal in the mesh trust domain, one of its
 * aliases, or the `cluster.local` placeholder is expanded to every one of them.
 */
export function expandTrustDomainAliases(values: string[], mesh: MeshConfig): string[] {
  const domains = [mesh.trustDomain, ...mesh.trustDomainAliases];
  if (domains.length === 1 && mesh.trustDomain === 'cluster.local') return values;
  const out: string[] = [];
  for (const v of values) {
    const parts = v.split('/');
    const td = parts[0] as string;
    if (v.startsWith('*') || parts.length !== 5 || (td !== 'cluster.local' && !domains.includes(td))) {
      if (!out.includes(v)) out.push(v);
      continue;
    }
    for (const d of domains) {
      const p = [d, ...parts.slice(1)].join('/');
      if (!out.includes(p)) out.push(p);
    }
  }
  return out;
}

function effectOf(scope: RuleScope): 'rule-dropped' | 'condition-ignored' {
  return scope.action === 'ALLOW' ? 'rule-dropped' : 'condition-ignored';
}

/** Record a problem; for ALLOW rules (unless `effect` says otherwise) drop the rule. */
function fail(scope: RuleScope, code: AuthzErrorCode, path: string, message: string, effect: AuthzIssueEffect = effectOf(scope)): void {
  if (scope.protocol === 'http') {
    scope.issues.push(new AuthzPolicyError(code, scope.policy, path, message, effect));
  }
  if (effect === 'rule-dropped') throw new Dropped(`${path}: ${message}; this ALLOW rule is removed`);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
