/**
 * The kinds meshguard reads, keyed by API group + kind (Linkerd's
 * `policy.linkerd.io` AuthorizationPolicy is not Istio's): the versions users
 * write, the spec schema, and the Istio validation rules that apply.
 */
import type { z } from 'zod';
import type { ObjectMeta } from './kinds.js';
import { authorizationPolicySpec } from './schemas/authorization-policy.js';
import { destinationRuleSpec } from './schemas/destination-rule.js';
import { gatewaySpec } from './schemas/gateway.js';
import { networkPolicySpec } from './schemas/network-policy.js';
import { peerAuthenticationSpec } from './schemas/peer-authentication.js';
import { requestAuthenticationSpec } from './schemas/request-authentication.js';
import { serviceSpec } from './schemas/service.js';
import { virtualServiceSpec } from './schemas/virtual-service.js';
import { workloadSpec } from './schemas/workload.js';
import { validateAuthorizationPolicy } from './validate/authorization-policy.js';
import { checkMetadata } from './validate/common.js';
import { findings, type Finding } from './validate/finding.js';
import { validatePeerAuthentication } from './validate/peer-authentication.js';
import { validateRequestAuthentication } from './validate/request-authentication.js';

export interface KindEntry {
  versions: readonly string[];
  spec: z.ZodType;
  validate: (meta: ObjectMeta, spec: never) => Finding[];
}

function metadataOnly(meta: ObjectMeta): Finding[] {
  const { list, report } = findings();
  checkMetadata(meta, report);
  return list;
}

const SECURITY = ['v1', 'v1beta1'] as const;
const NETWORKING = ['v1', 'v1beta1', 'v1alpha3'] as const;

export const KINDS: ReadonlyMap<string, KindEntry> = new Map<string, KindEntry>([
  ['security.istio.io/PeerAuthentication', { versions: SECURITY, spec: peerAuthenticationSpec, validate: validatePeerAuthentication }],
  ['security.istio.io/RequestAuthentication', { versions: SECURITY, spec: requestAuthenticationSpec, validate: validateRequestAuthentication }],
  ['security.istio.io/AuthorizationPolicy', { versions: SECURITY, spec: authorizationPolicySpec, validate: validateAuthorizationPolicy }],
  ['networking.istio.io/Gateway', { versions: NETWORKING, spec: gatewaySpec, validate: metadataOnly }],
  ['networking.istio.io/VirtualService', { versions: NETWORKING, spec: virtualServiceSpec, validate: metadataOnly }],
  ['networking.istio.io/DestinationRule', { versions: NETWORKING, spec: destinationRuleSpec, validate: metadataOnly }],
  ['networking.k8s.io/NetworkPolicy', { versions: ['v1'], spec: networkPolicySpec, validate: metadataOnly }],
  ['/Service', { versions: ['v1'], spec: serviceSpec, validate: metadataOnly }],
  ['meshguard.dev/Workload', { versions: ['v1alpha1'], spec: workloadSpec, validate: metadataOnly }],
]);

/** `security.istio.io/v1beta1` → group `security.istio.io`, version `v1beta1`; `v1` → core group ``. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
