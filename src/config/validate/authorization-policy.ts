/**
 * Istio's validation rules for AuthorizationPolicy (`ValidateAuthorizationPolicy`
 * in istio/istio pkg/config/validation), each reported under a stable rule
 * name, plus the product's own: paths start with `/` or `*`.
 */
import type { AuthorizationPolicySpec, AuthzCondition, AuthzOperation, AuthzSource, ObjectMeta } from '../kinds.js';
import { closestName } from '../closest-name.js';
import { checkMetadata, checkTargets } from './common.js';
import { findings, type Finding, type Report } from './finding.js';
import { isIpOrCidr, isMapKey, isPort, isSupportedPathTemplate } from './values.js';

type Path = (string | number)[];

const SOURCE_FIELDS: (keyof AuthzSource)[] = [
  'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces',
  'serviceAccounts', 'notServiceAccounts', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks',
];
const OPERATION_FIELDS: (keyof AuthzOperation)[] = ['hosts', 'notHosts', 'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'];
const IP_FIELDS: (keyof AuthzSource)[] = ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'];
// Identity-based fields need the request's peer or JWT, which a CUSTOM (ext_authz) check does not see in Istio.
const CUSTOM_UNSUPPORTED: (keyof AuthzSource)[] = ['namespaces', 'notNamespaces', 'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals'];

/** Condition keys Istio accepts (https://istio.io/latest/docs/reference/config/security/conditions/). */
const EXACT_KEYS = ['source.ip', 'remote.ip', 'source.namespace', 'source.principal', 'request.auth.principal', 'request.auth.audiences', 'request.auth.presenter', 'destination.ip', 'destination.port', 'connection.sni'];
const MAP_KEYS = ['request.headers', 'request.auth.claims', 'experimental.envoy.filters.'];
const IP_KEYS = new Set(['source.ip', 'remote.ip', 'destination.ip']);

function checkSource(src: AuthzSource, path: Path, custom: boolean, report: Report): void {
  if (SOURCE_FIELDS.every((f) => (src[f]?.length ?? 0) === 0)) {
    report('authz-from-source-empty', path, '`from.source` must not be empty', 'name at least one of principals, namespaces, requestPrincipals, ipBlocks, … or remove the entry');
  }
  for (const f of SOURCE_FIELDS) {
    src[f]?.forEach((v, i) => {
      if (v === '') report('authz-empty-value', [...path, f, i], `empty value not allowed in ${f}`);
      else if (IP_FIELDS.includes(f) && !isIpOrCidr(v)) report('authz-ip-block', [...path, f, i], `bad IP address or CIDR range: ${JSON.stringify(v)}`, 'an address such as 10.0.0.1 or a range such as 10.0.0.0/16');
    });
    if (custom && CUSTOM_UNSUPPORTED.includes(f) && (src[f]?.length ?? 0) > 0) {
      report('authz-custom-unsupported-field', [...path, f], `${f} is currently not supported with CUSTOM action`);
    }
  }
}

function checkPathValue(v: string, path: Path, field: string, report: Report): void {
  if (!v.startsWith('/') && !v.startsWith('*')) {
    report('authz-path-format', path, `path ${JSON.stringify(v)} in ${field} must start with "/" or "*"`, `write it as ${JSON.stringify(`/${v}`)}`);
  } else if (!isSupportedPathTemplate(v)) {
    report('authz-path-template', path, `invalid or unsupported path template ${JSON.stringify(v)} in ${field}`, 'use {*} for one segment and {**} for the rest; no named variables, no bare * or ** segments in a template');
  }
}

function checkOperation(op: AuthzOperation, path: Path, report: Report): void {
  if (OPERATION_FIELDS.every((f) => (op[f]?.length ?? 0) === 0)) {
    report('authz-to-operation-empty', path, '`to.operation` must not be empty', 'name at least one of hosts, ports, methods, paths, … or remove the entry');
  }
  for (const f of OPERATION_FIELDS) {
    op[f]?.forEach((v, i) => {
      const at = [...path, f, i];
      if (v === '') report('authz-empty-value', at, `empty value not allowed in ${f}`);
      else if ((f === 'ports' || f === 'notPorts') && !isPort(v)) report('authz-port', at, `bad port ${JSON.stringify(v)}`, 'a number from 0 to 65535, written as a string: "8080"');
      else if (f === 'paths' || f === 'notPaths') checkPathValue(v, at, f, report);
    });
  }
}

function checkConditionKey(key: string, path: Path, report: Report): boolean {
  if (key === '') {
    report('authz-condition-key-empty', [...path, 'key'], '`key` must not be empty');
    return false;
  }
  if (EXACT_KEYS.includes(key)) return true;
  const prefix = MAP_KEYS.find((p) => key.startsWith(p));
  if (prefix) {
    if (isMapKey(key)) return true;
    report('authz-condition-key', [...path, 'key'], `bad key ${JSON.stringify(key)}: should have format a[b]`, `e.g. ${prefix.endsWith('.') ? `${prefix}x[y]` : `${prefix}[name]`}`);
    return false;
  }
  const replaced: Record<string, string> = {
    'destination.namespace': 'attribute destination.namespace is replaced by the metadata.namespace',
    'destination.name': 'deprecated attribute destination.name: only supported in v1alpha1',
    'destination.user': 'deprecated attribute destination.user: only supported in v1alpha1',
  };
  const message = replaced[key] ?? (key.startsWith('destination.labels') ? 'attribute destination.labels is replaced by the workload selector' : `unknown attribute: ${key}`);
  const near = closestName(key.replace(/\[.*$/, ''), [...EXACT_KEYS, ...MAP_KEYS.map((k) => k.replace(/\.$/, ''))]);
  report('authz-condition-key', [...path, 'key'], message, near ? `did you mean \`${near}\`?` : undefined);
  return false;
}

function checkCondition(cond: AuthzCondition, path: Path, custom: boolean, report: Report): void {
  if (!checkConditionKey(cond.key, path, report)) return;
  const { key } = cond;
  if (custom && (key === 'source.namespace' || key === 'source.principal' || key.startsWith('request.auth.'))) {
    report('authz-custom-unsupported-field', [...path, 'key'], `${key} is currently not supported with CUSTOM action`);
  }
  if ((cond.values?.length ?? 0) === 0 && (cond.notValues?.length ?? 0) === 0) {
    report('authz-condition-values', path, `at least one of \`values\` or \`notValues\` must be set for key ${key}`);
    return;
  }
  for (const f of ['values', 'notValues'] as const) {
    cond[f]?.forEach((v, i) => {
      const at = [...path, f, i];
      if (v === '') report('authz-empty-value', at, `empty value not allowed for key ${key}`);
      else if (IP_KEYS.has(key) && !isIpOrCidr(v)) report('authz-condition-value', at, `bad IP address or CIDR range for ${key}: ${JSON.stringify(v)}`);
      else if (key === 'destination.port' && !isPort(v)) report('authz-condition-value', at, `bad port for ${key}: ${JSON.stringify(v)}`, 'a number from 0 to 65535');
    });
  }
}

function checkAction(spec: AuthorizationPolicySpec, report: Report): void {
  const action = spec.action ?? 'ALLOW';
  if (action === 'CUSTOM') {
    if (spec.rules === undefined) {
      report('authz-custom-without-rules', ['spec', 'action'], 'CUSTOM action without `rules` is meaningless as it will never be triggered', 'add an empty rule `rules: [{}]` to trigger it for every request');
    } else if (!spec.provider || spec.provider.name === '') {
      report('authz-custom-needs-provider', ['spec', 'provider'], 'CUSTOM action needs `provider.name`', 'name one of the mesh config\'s extensionProviders');
    }
  } else if (spec.provider) {
    report('authz-provider-needs-custom', ['spec', 'provider'], `\`provider\` must not be with non CUSTOM action, found ${action}`, 'set `action: CUSTOM` or remove `provider`');
  }
  if (action === 'DENY' && spec.rules === undefined) {
    report('authz-deny-without-rules', ['spec', 'action'], 'DENY action without `rules` is meaningless as it will never be triggered', 'add an empty rule `rules: [{}]` to deny every request');
  }
}

/**
 * All rule violations of one AuthorizationPolicy, in document order.
 *
 * @example
 * validateAuthorizationPolicy(meta, { action: 'CUSTOM', rules: [{}] })[0]?.rule // 'authz-custom-needs-provider'
 */
export function validateAuthorizationPolicy(meta: ObjectMeta, spec: AuthorizationPolicySpec): Finding[] {
  const { list, report } = findings();
  checkMetadata(meta, report);
  checkTargets(spec, report);
  checkAction(spec, report);
  const custom = spec.action === 'CUSTOM';
  spec.rules?.forEach((rule, r) => {
    const base: Path = ['spec', 'rules', r];
    if (rule.from !== undefined && rule.from.length === 0) report('authz-empty-from', [...base, 'from'], '`from` must not be empty', 'remove `from` to match any source');
    rule.from?.forEach((from, i) => {
      if (!from.source) report('authz-from-source-missing', [...base, 'from', i], '`from.source` must not be nil', 'write `- source: {principals: [...]}`');
      else checkSource(from.source, [...base, 'from', i, 'source'], custom, report);
    });
    if (rule.to !== undefined && rule.to.length === 0) report('authz-empty-to', [...base, 'to'], '`to` must not be empty', 'remove `to` to match any operation');
    rule.to?.forEach((to, i) => {
      if (!to.operation) report('authz-to-operation-missing', [...base, 'to', i], '`to.operation` must not be nil', 'write `- operation: {paths: [...]}`');
      else checkOperation(to.operation, [...base, 'to', i, 'operation'], report);
    });
    rule.when?.forEach((cond, i) => checkCondition(cond, [...base, 'when', i], custom, report));
  });
  return list;
}
