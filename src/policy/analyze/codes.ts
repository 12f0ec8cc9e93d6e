/**
 * The catalogue of `meshguard analyze` codes: level, what it means, how to fix it.
 * Codes are stable: tests, CI pipelines and `--suppress`-style tooling key on them.
 * Configuration errors found while loading keep their own `MG_CONFIG_*` codes and
 * are reported as `Error` findings next to these.
 */
import type { Level } from './finding.js';

interface CodeEntry {
  level: Level;
  summary: string;
  fix: string;
}

export const ANALYZER_CODES = {
  MG_ANALYZE_SELECTOR_NO_MATCH: {
    level: 'Warning',
    summary: 'a selector matches no Workload or Service in the given configuration',
    fix: 'check the labels against the workloads (`kubectl get pods --show-labels`), or drop the selector to select the whole namespace',
  },
  MG_ANALYZE_PEER_ID_ON_PLAINTEXT_PORT: {
    level: 'Warning',
    summary: '`principals` or `namespaces` in an ALLOW policy for a port that accepts plaintext',
    fix: 'make the port STRICT with a PeerAuthentication so every caller has a peer identity, or allow plaintext callers with a rule that does not name principals/namespaces',
  },
  MG_ANALYZE_JWT_NOT_REQUIRED: {
    level: 'Warning',
    summary: 'a RequestAuthentication without an AuthorizationPolicy that requires a request principal: requests without a token pass',
    fix: 'add an AuthorizationPolicy with `action: DENY` and `from.source.notRequestPrincipals: ["*"]` (or an ALLOW with `requestPrincipals: ["*"]`) for the same workloads',
  },
  MG_ANALYZE_UNDEFINED_PROVIDER: {
    level: 'Warning',
    summary: 'a CUSTOM policy names an extension provider the mesh config does not define: Istio turns it into deny-all for the workloads it selects',
    fix: 'define the provider under `extensionProviders` in the mesh config (the `istio` ConfigMap or --mesh-config), or fix the name',
  },
  MG_ANALYZE_MESH_PERMISSIVE: {
    level: 'Warning',
    summary: 'the mesh-wide PeerAuthentication is PERMISSIVE: every workload accepts plaintext',
    fix: 'once every workload has a sidecar, set `mtls.mode: STRICT` on the `default` PeerAuthentication in the root namespace',
  },
  MG_ANALYZE_ROOT_SELECTOR_IGNORED: {
    level: 'Warning',
    summary: 'a PeerAuthentication in the root namespace has a selector: Istio ignores it',
    fix: 'move the policy to the namespace of the workloads it should select, or remove the selector to make it mesh-wide',
  },
  MG_ANALYZE_PRINCIPAL_WITH_SCHEME: {
    level: 'Warning',
    summary: 'a principal is written with `spiffe://`: Istio adds the scheme itself, so it never matches',
    fix: 'write the principal without the scheme, e.g. `cluster.local/ns/default/sa/sleep`',
  },
  MG_ANALYZE_HOST_PORT_MISMATCH: {
    level: 'Warning',
    summary: '`hosts` are compared with the Host header exactly, port included, and clients send a different form',
    fix: 'write the host as clients send it: `host:port` when they use a non-default port (or `host:*` for any port), the bare name on ports 80/443',
  },
  MG_ANALYZE_HTTP_FIELDS_ON_TCP: {
    level: 'Warning',
    summary: 'HTTP-only fields in a policy for a TCP port: an ALLOW rule with them never matches, a DENY rule ignores them and denies more',
    fix: 'use only TCP fields (principals, namespaces, ipBlocks, ports) for TCP ports, or declare the port as http',
  },
  MG_ANALYZE_RULE_SHADOWED: {
    level: 'Warning',
    summary: 'an ALLOW rule can never allow anything: a DENY rule for the same workloads matches every request it matches',
    fix: 'narrow the DENY rule or remove the ALLOW rule',
  },
  MG_ANALYZE_PORT_NOT_SERVED: {
    level: 'Warning',
    summary: '`ports` names a port no selected workload listens on: `destination.port` is the workload\'s own port, not the Service port or NodePort',
    fix: 'use the port the workload listens on (the Service\'s targetPort, the gateway\'s container port)',
  },
  MG_ANALYZE_NO_WORKLOADS: {
    level: 'Info',
    summary: 'no Workload or Service was given, so selectors and ports could not be checked',
    fix: 'pass the workloads and services too (`-f manifests/ -R`)',
  },
} as const satisfies Record<string, CodeEntry>;

export type AnalyzerCode = keyof typeof ANALYZER_CODES;
