/** Kubernetes networking.k8s.io/v1 NetworkPolicy: L3/L4 allow-lists by pod and namespace labels. */
import { z } from 'zod';
import type { NetworkPolicySpec } from '../kinds.js';
import { portNumber, stringList, stringMap, type AssertAssignable } from './common.js';

const labelSelector = z.strictObject({
  matchLabels: stringMap.optional(),
  matchExpressions: z
    .array(
      z.strictObject({
        key: z.string(),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: stringList.optional(),
      }),
    )
    .optional(),
});

const peer = z.strictObject({
  podSelector: labelSelector.optional(),
  namespaceSelector: labelSelector.optional(),
  ipBlock: z.strictObject({ cidr: z.string(), except: stringList.optional() }).optional(),
});

const port = z.strictObject({
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
  port: z.union([portNumber, z.string()]).optional(),
  endPort: portNumber.optional(),
});

export const networkPolicySpec = z.strictObject({
  podSelector: labelSelector,
  policyTypes: z.array(z.enum(['Ingress', 'Egress'])).optional(),
  // `ingress: []` (deny all) and a bare `ingress:` (null) both mean "no rules".
  ingress: z
    .array(z.strictObject({ from: z.array(peer).optional(), ports: z.array(port).optional() }))
    .nullable()
    .optional()
    .transform((v) => v ?? undefined),
  egress: z
    .array(z.strictObject({ to: z.array(peer).optional(), ports: z.array(port).optional() }))
    .nullable()
    .optional()
    .transform((v) => v ?? undefined),
});

type _Check = AssertAssignable<z.output<typeof networkPolicySpec>, NetworkPolicySpec>;
