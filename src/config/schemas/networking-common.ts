/**
 * Message types networking.istio.io kinds share (and MeshConfig reuses):
 * StringMatch, Destination, Percent, client TLS, connection pool, outlier
 * detection, locality load balancing, HTTP retries. Field lists follow Istio's
 * published protos (istio/api networking/v1alpha3) so that every field users
 * write is accepted.
 */
import { z } from 'zod';
import { duration, int32, stringList, stringMap, uint32 } from './common.js';

/** Exactly one of exact / prefix / regex, as Istio's oneof. */
export const stringMatch = z
  .strictObject({ exact: z.string().optional(), prefix: z.string().optional(), regex: z.string().optional() })
  .refine((m) => [m.exact, m.prefix, m.regex].filter((v) => v !== undefined).length <= 1, {
    message: 'only one of exact, prefix or regex may be set',
  });

export const percent = z.strictObject({ value: z.number().min(0).max(100) });

export const destination = z.strictObject({
  host: z.string(),
  subset: z.string().optional(),
  port: z.strictObject({ number: uint32.optional() }).optional(),
});

export const clientTlsSettings = z.strictObject({
  mode: z.enum(['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL']).optional(),
  clientCertificate: z.string().optional(),
  privateKey: z.string().optional(),
  caCertificates: z.string().optional(),
  credentialName: z.string().optional(),
  subjectAltNames: stringList.optional(),
  sni: z.string().optional(),
  insecureSkipVerify: z.boolean().optional(),
  caCrl: z.string().optional(),
});

const tcpKeepalive = z.strictObject({ probes: uint32.optional(), time: duration.optional(), interval: duration.optional() });
export { tcpKeepalive };

export const connectionPoolSettings = z.strictObject({
  tcp: z
    .strictObject({
      maxConnections: int32.optional(),
      connectTimeout: duration.optional(),
      tcpKeepalive: tcpKeepalive.optional(),
      maxConnectionDuration: duration.optional(),
      idleTimeout: duration.optional(),
    })
    .optional(),
  http: z
    .strictObject({
      http1MaxPendingRequests: int32.optional(),
      http2MaxRequests: int32.optional(),
      maxRequestsPerConnection: int32.optional(),
      maxRetries: int32.optional(),
      idleTimeout: duration.optional(),
      h2UpgradePolicy: z.enum(['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE']).optional(),
      useClientProtocol: z.boolean().optional(),
      maxConcurrentStreams: int32.optional(),
      http2KeepAlive: z.strictObject({ interval: duration.optional(), timeout: duration.optional() }).optional(),
    })
    .optional(),
});

export const outlierDetection = z.strictObject({
  consecutiveErrors: int32.optional(),
  splitExternalLocalOriginErrors: z.boolean().optional(),
  consecutiveLocalOriginFailures: uint32.optional(),
  consecutiveGatewayErrors: uint32.optional(),
  consecutive5xxErrors: uint32.optional(),
  interval: duration.optional(),
  baseEjectionTime: duration.optional(),
  maxEjectionPercent: int32.optional(),
  minHealthPercent: int32.optional(),
  outlierDetectionHttpErrorCodes: z.array(uint32).optional(),
});

const failover = z.strictObject({ from: z.string().optional(), to: z.string().optional() });

export const localityLbSetting = z.strictObject({
  distribute: z.array(z.strictObject({ from: z.string().optional(), to: z.record(z.string(), uint32).optional() })).optional(),
  failover: z.array(failover).optional(),
  failoverPriority: stringList.optional(),
  enabled: z.boolean().optional(),
});

export const zoneAwareLbSetting = z.strictObject({
  enabled: z.boolean().optional(),
  failover: z.array(failover).optional(),
  failoverPriority: stringList.optional(),
  minClusterSize: uint32.optional(),
});

export const httpRetry = z.strictObject({
  attempts: int32.optional(),
  perTryTimeout: duration.optional(),
  retryOn: z.string().optional(),
  retryRemoteLocalities: z.boolean().optional(),
  retryIgnorePreviousHosts: z.boolean().optional(),
  backoff: duration.optional(),
});

export { stringMap };
