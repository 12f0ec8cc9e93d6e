/**
 * The resource kinds meshguard reads, as plain data. These are the shapes users
 * write for Istio, Kubernetes and meshguard, after parsing and validation by
 * `config/schemas/*` — every layer above `config/` works with these types only.
 *
 * Field names follow the upstream APIs exactly (Istio's security.istio.io and
 * networking.istio.io, Kubernetes core/v1 and networking.k8s.io/v1) so that a
 * user's YAML reads the same in both places.
 */

/** Where a document (or one field of it) came from, for errors that name file:line:column. */
export interface Position {
  line: number; // 1-based
  column: number; // 1-based
}

export interface SourceRef extends Position {
  file: string;
  /** 0-based index of the YAML document inside the file. */
  document: number;
  /**
   * Positions of fields inside the document, keyed by their path written as
   * `spec.rules[0].from[0].source.principals[1]`. Filled by the loader so that
   * later checks (analyze, validation) can point at the exact line.
   */
  fields?: Record<string, Position>;
}

export interface ObjectMeta {
  name: string;
  /** Always set after loading: `default` when the document had none. */
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** RFC 3339; decides ties ("oldest wins") as Istio does. */
  creationTimestamp?: string;
  [key: string]: unknown;
}

export interface WorkloadSelector {
  matchLabels?: Record<string, string>;
}

/** Gateway API style reference used by `targetRef` / `targetRefs` (Istio 1.22+). */
export interface PolicyTargetReference {
  group?: string;
  kind: string;
  name: string;
  namespace?: string;
}

// ---------------------------------------------------------------- security.istio.io

export type MtlsMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

export interface PeerAuthenticationSpec {
  selector?: WorkloadSelector;
  mtls?: { mode?: MtlsMode };
  /** Keyed by the workload's own (target) port number, written as a string in YAML maps. */
  portLevelMtls?: Record<string, { mode?: MtlsMode }>;
}

export interface JwtHeader {
  name: string;
  prefix?: string;
}

export interface ClaimToHeader {
  header: string;
  claim: string;
}

export interface JwtRule {
  issuer: string;
  audiences?: string[];
  jwksUri?: string;
  /** Inline JWKS as a JSON string, exactly as Istio takes it. */
  jwks?: string;
  fromHeaders?: JwtHeader[];
  fromParams?: string[];
  fromCookies?: string[];
  outputPayloadToHeader?: string;
  forwardOriginalToken?: boolean;
  outputClaimToHeaders?: ClaimToHeader[];
  spaceDelimitedClaims?: string[];
  timeout?: string;
}

export interface RequestAuthenticationSpec {
  selector?: WorkloadSelector;
  targetRef?: PolicyTargetReference;
  targetRefs?: PolicyTargetReference[];
  jwtRules?: JwtRule[];
}

export type AuthorizationAction = 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';

export interface AuthzSource {
  principals?: string[];
  notPrincipals?: string[];
  requestPrincipals?: string[];
  notRequestPrincipals?: string[];
  namespaces?: string[];
  notNamespaces?: string[];
  serviceAccounts?: string[];
  notServiceAccounts?: string[];
  ipBlocks?: string[];
  notIpBlocks?: string[];
  remoteIpBlocks?: string[];
  notRemoteIpBlocks?: string[];
}

export interface AuthzOperation {
  hosts?: string[];
  notHosts?: string[];
  ports?: string[];
  notPorts?: string[];
  methods?: string[];
  notMethods?: string[];
  paths?: string[];
  notPaths?: string[];
}

export interface AuthzCondition {
  key: string;
  values?: string[];
  notValues?: string[];
}

export interface AuthzRule {
  from?: { source?: AuthzSource }[];
  to?: { operation?: AuthzOperation }[];
  when?: AuthzCondition[];
}

export interface AuthorizationPolicySpec {
  selector?: WorkloadSelector;
  targetRef?: PolicyTargetReference;
  targetRefs?: PolicyTargetReference[];
  rules?: AuthzRule[];
  /** Absent means ALLOW, as in Istio. */
  action?: AuthorizationAction;
  provider?: { name: string };
}

// ---------------------------------------------------------------- networking (accepted, used later by the gateway)

/** networking.istio.io specs are validated against Istio's schema but kept as data here. */
export type GatewaySpec = {
  selector?: Record<string, string>;
  servers?: {
    port: { number: number; protocol: string; name?: string; targetPort?: number };
    hosts: string[];
    bind?: string;
    defaultEndpoint?: string;
    name?: string;
    tls?: Record<string, unknown>;
  }[];
};
export type VirtualServiceSpec = Record<string, unknown> & { hosts?: string[]; gateways?: string[] };
export type DestinationRuleSpec = Record<string, unknown> & { host: string };

// ---------------------------------------------------------------- Kubernetes

export interface ServicePort {
  name?: string;
  port: number;
  /** Number, or the name of a container port. Defaults to `port`. */
  targetPort?: number | string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: string;
  /** For `type: NodePort|LoadBalancer`: the port on every node, which clients then put in the Host header. */
  nodePort?: number;
}

export interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: ServicePort[];
  type?: string;
  clusterIP?: string;
  [key: string]: unknown;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyPort {
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
}

// ---------------------------------------------------------------- meshguard.dev

export interface WorkloadPort {
  name?: string;
  port: number;
  /** `http` (default), `http2`, `grpc` or `tcp`: decides which authorization fields can apply. */
  protocol?: 'http' | 'http2' | 'grpc' | 'tcp';
}

/** A workload outside Kubernetes: what a pod would say about itself. */
export interface WorkloadSpec {
  serviceAccount?: string;
  ports?: WorkloadPort[];
  /** Local runs (`meshguard up`): the command to start, its environment, and whether it gets a sidecar. */
  command?: string[];
  env?: Record<string, string>;
  sidecar?: boolean;
  address?: string;
}

// ---------------------------------------------------------------- mesh config

export type PathNormalization = 'NONE' | 'BASE' | 'MERGE_SLASHES' | 'DECODE_AND_MERGE_SLASHES';

export interface ExtensionProvider {
  name: string;
  /** One provider type per entry, as in Istio's MeshConfig (envoyExtAuthzHttp, envoyExtAuthzGrpc, …). */
  [type: string]: unknown;
}

/** The parts of Istio's MeshConfig meshguard acts on; the loader accepts the rest of Istio's fields. */
export interface MeshConfig {
  rootNamespace: string;
  trustDomain: string;
  trustDomainAliases: string[];
  extensionProviders: ExtensionProvider[];
  pathNormalization: PathNormalization;
  outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
}

/** Defaults as Istio documents them for MeshConfig. */
export const DEFAULT_MESH_CONFIG: MeshConfig = Object.freeze({
  rootNamespace: 'istio-system',
  trustDomain: 'cluster.local',
  trustDomainAliases: [],
  extensionProviders: [],
  pathNormalization: 'BASE',
  outboundTrafficPolicy: 'ALLOW_ANY',
}) as MeshConfig;

// ---------------------------------------------------------------- the union

interface ResourceOf<K extends string, G extends string, S> {
  /** `apiVersion` as written (`security.istio.io/v1beta1`). */
  apiVersion: string;
  /** API group without version (`security.istio.io`, `` for core). Kinds are keyed by group + kind. */
  group: G;
  kind: K;
  metadata: ObjectMeta;
  spec: S;
  source: SourceRef;
}

export type PeerAuthentication = ResourceOf<'PeerAuthentication', 'security.istio.io', PeerAuthenticationSpec>;
export type RequestAuthentication = ResourceOf<'RequestAuthentication', 'security.istio.io', RequestAuthenticationSpec>;
export type AuthorizationPolicy = ResourceOf<'AuthorizationPolicy', 'security.istio.io', AuthorizationPolicySpec>;
export type Gateway = ResourceOf<'Gateway', 'networking.istio.io', GatewaySpec>;
export type VirtualService = ResourceOf<'VirtualService', 'networking.istio.io', VirtualServiceSpec>;
export type DestinationRule = ResourceOf<'DestinationRule', 'networking.istio.io', DestinationRuleSpec>;
export type NetworkPolicy = ResourceOf<'NetworkPolicy', 'networking.k8s.io', NetworkPolicySpec>;
export type Service = ResourceOf<'Service', '', ServiceSpec>;
export type Workload = ResourceOf<'Workload', 'meshguard.dev', WorkloadSpec>;

export type Resource =
  | PeerAuthentication
  | RequestAuthentication
  | AuthorizationPolicy
  | Gateway
  | VirtualService
  | DestinationRule
  | NetworkPolicy
  | Service
  | Workload;

export type ResourceKind = Resource['kind'];

/** `ns/name`, the way meshguard names a resource in output. */
export function resourceName(r: { metadata: ObjectMeta }): string {
  return `${r.metadata.namespace}/${r.metadata.name}`;
}
