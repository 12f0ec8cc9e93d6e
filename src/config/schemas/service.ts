/** Kubernetes core/v1 Service: the fields of ServiceSpec (selector and ports are what meshguard uses). */
import { z } from 'zod';
import type { ServiceSpec } from '../kinds.js';
import { portNumber, stringList, stringMap, type AssertAssignable } from './common.js';

const servicePort = z.strictObject({
  name: z.string().optional(),
  protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
  appProtocol: z.string().optional(),
  port: portNumber,
  targetPort: z.union([portNumber, z.string()]).optional(),
  nodePort: portNumber.optional(),
});

export const serviceSpec = z.strictObject({
  selector: stringMap.optional(),
  ports: z.array(servicePort).optional(),
  type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).optional(),
  clusterIP: z.string().optional(),
  clusterIPs: stringList.optional(),
  externalIPs: stringList.optional(),
  sessionAffinity: z.enum(['ClientIP', 'None']).optional(),
  sessionAffinityConfig: z
    .strictObject({ clientIP: z.strictObject({ timeoutSeconds: z.number().int().optional() }).optional() })
    .optional(),
  loadBalancerIP: z.string().optional(),
  loadBalancerSourceRanges: stringList.optional(),
  loadBalancerClass: z.string().optional(),
  externalName: z.string().optional(),
  externalTrafficPolicy: z.enum(['Cluster', 'Local']).optional(),
  internalTrafficPolicy: z.enum(['Cluster', 'Local']).optional(),
  healthCheckNodePort: portNumber.optional(),
  publishNotReadyAddresses: z.boolean().optional(),
  ipFamilies: z.array(z.enum(['IPv4', 'IPv6'])).optional(),
  ipFamilyPolicy: z.enum(['SingleStack', 'PreferDualStack', 'RequireDualStack']).optional(),
  allocateLoadBalancerNodePorts: z.boolean().optional(),
  trafficDistribution: z.string().optional(),
});

type _Check = AssertAssignable<z.output<typeof serviceSpec>, ServiceSpec>;
