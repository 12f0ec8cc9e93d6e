/** security.istio.io AuthorizationPolicy: ALLOW / DENY / AUDIT / CUSTOM rules on requests. */
import { z } from 'zod';
import type { AuthorizationPolicySpec } from '../kinds.js';
import { policyTargetReference, stringList, workloadSelector, type AssertAssignable } from './common.js';

const list = stringList.optional();

const source = z.strictObject({
  principals: list,
  notPrincipals: list,
  requestPrincipals: list,
  notRequestPrincipals: list,
  namespaces: list,
  notNamespaces: list,
  serviceAccounts: list,
  notServiceAccounts: list,
  ipBlocks: list,
  notIpBlocks: list,
  remoteIpBlocks: list,
  notRemoteIpBlocks: list,
});

const operation = z.strictObject({
  hosts: list,
  notHosts: list,
  ports: list,
  notPorts: list,
  methods: list,
  notMethods: list,
  paths: list,
  notPaths: list,
});

const condition = z.strictObject({ key: z.string(), values: list, notValues: list });

const rule = z.strictObject({
  from: z.array(z.strictObject({ source: source.optional() })).optional(),
  to: z.array(z.strictObject({ operation: operation.optional() })).optional(),
  when: z.array(condition).optional(),
});

export const authorizationPolicySpec = z.strictObject({
  selector: workloadSelector.optional(),
  targetRef: policyTargetReference.optional(),
  targetRefs: z.array(policyTargetReference).optional(),
  rules: z.array(rule).optional(),
  action: z.enum(['ALLOW', 'DENY', 'AUDIT', 'CUSTOM']).optional(),
  provider: z.strictObject({ name: z.string() }).optional(),
});

type _Check = AssertAssignable<z.output<typeof authorizationPolicySpec>, AuthorizationPolicySpec>;
