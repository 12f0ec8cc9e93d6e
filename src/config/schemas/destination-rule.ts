/** networking.istio.io DestinationRule: traffic policy (TLS, pools, load balancing) toward a host. */
import { z } from 'zod';
import type { DestinationRuleSpec } from '../kinds.js';
import { duration, stringList, stringMap, uint32, workloadSelector, type AssertAssignable } from './common.js';
import {
  clientTlsSettings,
  connectionPoolSettings,
  localityLbSetting,
  outlierDetection,
  zoneAwareLbSetting,
} from './networking-common.js';

const consistentHash = z.strictObject({
  httpHeaderName: z.string().optional(),
  httpCookie: z
    .strictObject({
      name: z.string(),
      path: z.string().optional(),
      ttl: duration.optional(),
      attributes: z.array(z.strictObject({ name: z.string(), value: z.string().optional() })).optional(),
    })
    .optional(),
  useSourceIp: z.boolean().optional(),
  httpQueryParameterName: z.string().optional(),
  ringHash: z.strictObject({ minimumRingSize: uint32.optional() }).optional(),
  maglev: z.strictObject({ tableSize: uint32.optional() }).optional(),
  minimumRingSize: uint32.optional(),
});

const loadBalancer = z.strictObject({
  simple: z.enum(['UNSPECIFIED', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST']).optional(),
  consistentHash: consistentHash.optional(),
  localityLbSetting: localityLbSetting.optional(),
  zoneAwareLbSetting: zoneAwareLbSetting.optional(),
  warmupDurationSecs: duration.optional(),
  warmup: z
    .strictObject({ duration: duration.optional(), minimumPercent: z.number().optional(), aggression: z.number().optional() })
    .optional(),
});

const portPolicy = {
  loadBalancer: loadBalancer.optional(),
  connectionPool: connectionPoolSettings.optional(),
  outlierDetection: outlierDetection.optional(),
  tls: clientTlsSettings.optional(),
};

const trafficPolicy = z.strictObject({
  ...portPolicy,
  portLevelSettings: z
    .array(z.strictObject({ port: z.strictObject({ number: uint32.optional() }).optional(), ...portPolicy }))
    .optional(),
  tunnel: z
    .strictObject({ protocol: z.string().optional(), targetHost: z.string(), targetPort: uint32 })
    .optional(),
  proxyProtocol: z.strictObject({ version: z.enum(['V1', 'V2']).optional() }).optional(),
  retryBudget: z
    .strictObject({ percent: z.number().optional(), minRetryConcurrency: uint32.optional(), budgetInterval: duration.optional() })
    .optional(),
});

export const destinationRuleSpec = z.strictObject({
  host: z.string(),
  trafficPolicy: trafficPolicy.optional(),
  subsets: z
    .array(z.strictObject({ name: z.string(), labels: stringMap.optional(), trafficPolicy: trafficPolicy.optional() }))
    .optional(),
  exportTo: stringList.optional(),
  workloadSelector: workloadSelector.optional(),
});

type _Check = AssertAssignable<z.output<typeof destinationRuleSpec>, DestinationRuleSpec>;
