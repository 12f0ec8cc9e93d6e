/**
 * Istio's MeshConfig (istio/api mesh/v1alpha1/config.proto) as users hold it in
 * the `istio` ConfigMap's `data.mesh`. Every top-level field is accepted; the
 * ones meshguard acts on (trust domain, root namespace, extension providers,
 * path normalization, outbound policy) are typed in full, large sub-messages
 * meshguard does not read (ProxyConfig, tracing internals) are kept as data.
 */
import { z } from 'zod';
import { duration, stringList, stringMap, uint32 } from './common.js';
import {
  clientTlsSettings,
  connectionPoolSettings,
  httpRetry,
  localityLbSetting,
  outlierDetection,
  tcpKeepalive,
  zoneAwareLbSetting,
} from './networking-common.js';

const data = z.record(z.string(), z.unknown());

const requestBody = z.strictObject({
  maxRequestBytes: uint32.optional(),
  allowPartialMessage: z.boolean().optional(),
  packAsBytes: z.boolean().optional(),
});

const extAuthzCommon = {
  service: z.string(),
  port: uint32.optional(),
  timeout: duration.optional(),
  failOpen: z.boolean().optional(),
  clearRouteCache: z.boolean().optional(),
  statusOnError: z.string().optional(),
  includeRequestBodyInCheck: requestBody.optional(),
};

const envoyExtAuthzHttp = z.strictObject({
  ...extAuthzCommon,
  pathPrefix: z.string().optional(),
  includeHeadersInCheck: stringList.optional(),
  includeRequestHeadersInCheck: stringList.optional(),
  includeAdditionalHeadersInCheck: stringMap.optional(),
  headersToUpstreamOnAllow: stringList.optional(),
  headersToDownstreamOnDeny: stringList.optional(),
  headersToDownstreamOnAllow: stringList.optional(),
});

const envoyExtAuthzGrpc = z.strictObject(extAuthzCommon);

/** The provider types of Istio's ExtensionProvider oneof. */
export const EXTENSION_PROVIDER_TYPES = [
  'envoyExtAuthzHttp',
  'envoyExtAuthzGrpc',
  'zipkin',
  'lightstep',
  'datadog',
  'stackdriver',
  'opencensus',
  'skywalking',
  'opentelemetry',
  'prometheus',
  'envoyFileAccessLog',
  'envoyHttpAls',
  'envoyTcpAls',
  'envoyOtelAls',
  'sds',
] as const;

const extensionProvider = z
  .strictObject({
    name: z.string().min(1),
    envoyExtAuthzHttp: envoyExtAuthzHttp.optional(),
    envoyExtAuthzGrpc: envoyExtAuthzGrpc.optional(),
    zipkin: data.optional(),
    lightstep: data.optional(),
    datadog: data.optional(),
    stackdriver: data.optional(),
    opencensus: data.optional(),
    skywalking: data.optional(),
    opentelemetry: data.optional(),
    prometheus: data.optional(),
    envoyFileAccessLog: data.optional(),
    envoyHttpAls: data.optional(),
    envoyTcpAls: data.optional(),
    envoyOtelAls: data.optional(),
    sds: data.optional(),
  })
  .refine((p) => EXTENSION_PROVIDER_TYPES.filter((t) => p[t] !== undefined).length === 1, {
    message: `an extension provider needs exactly one provider type (${EXTENSION_PROVIDER_TYPES.slice(0, 3).join(', ')}, …)`,
  });

const labelSelector = z.strictObject({
  matchLabels: stringMap.optional(),
  matchExpressions: z
    .array(z.strictObject({ key: z.string(), operator: z.string(), values: stringList.optional() }))
    .optional(),
});

const tlsConfig = z.strictObject({
  minProtocolVersion: z.enum(['TLS_AUTO', 'TLSV1_2', 'TLSV1_3']).optional(),
  ecdhCurves: stringList.optional(),
  cipherSuites: stringList.optional(),
});

export const meshConfigSchema = z.strictObject({
  proxyListenPort: z.number().int().optional(),
  proxyInboundListenPort: z.number().int().optional(),
  proxyHttpPort: z.number().int().optional(),
  connectTimeout: duration.optional(),
  hboneIdleTimeout: duration.optional(),
  protocolDetectionTimeout: duration.optional(),
  tcpKeepalive: tcpKeepalive.optional(),
  ingressClass: z.string().optional(),
  ingressService: z.string().optional(),
  ingressControllerMode: z.enum(['UNSPECIFIED', 'OFF', 'DEFAULT', 'STRICT']).optional(),
  ingressSelector: z.string().optional(),
  enableTracing: z.boolean().optional(),
  accessLogFile: z.string().optional(),
  accessLogFormat: z.string().optional(),
  accessLogEncoding: z.enum(['TEXT', 'JSON']).optional(),
  enableEnvoyAccessLogService: z.boolean().optional(),
  disableEnvoyListenerLog: z.boolean().optional(),
  defaultConfig: data.optional(),
  outboundTrafficPolicy: z
    .strictObject({
      mode: z.enum(['REGISTRY_ONLY', 'ALLOW_ANY', 'ALLOW_ANY_DYNAMIC_DNS']).optional(),
      tls: clientTlsSettings.optional(),
    })
    .optional(),
  inboundTrafficPolicy: z.strictObject({ mode: z.enum(['PASSTHROUGH', 'LOCALHOST']).optional() }).optional(),
  configSources: z.array(data).optional(),
  enableAutoMtls: z.boolean().optional(),
  trustDomain: z.string().optional(),
  trustDomainAliases: stringList.optional(),
  caCertificates: z
    .array(
      z.strictObject({
        pem: z.string().optional(),
        spiffeBundleUrl: z.string().optional(),
        certSigners: stringList.optional(),
        trustDomains: stringList.optional(),
      }),
    )
    .optional(),
  defaultServiceExportTo: stringList.optional(),
  defaultVirtualServiceExportTo: stringList.optional(),
  defaultDestinationRuleExportTo: stringList.optional(),
  rootNamespace: z.string().optional(),
  localityLbSetting: localityLbSetting.optional(),
  zoneAwareLbSetting: zoneAwareLbSetting.optional(),
  dnsRefreshRate: duration.optional(),
  h2UpgradePolicy: z.enum(['DO_NOT_UPGRADE', 'UPGRADE']).optional(),
  inboundClusterStatName: z.string().optional(),
  outboundClusterStatName: z.string().optional(),
  certificates: z.array(z.strictObject({ secretName: z.string().optional(), dnsNames: stringList.optional() })).optional(),
  serviceSettings: z
    .array(z.strictObject({ settings: z.strictObject({ clusterLocal: z.boolean().optional() }).optional(), hosts: stringList.optional() }))
    .optional(),
  serviceScopeConfigs: z
    .array(
      z.strictObject({
        namespaceSelector: labelSelector.optional(),
        servicesSelector: labelSelector.optional(),
        scope: z.enum(['LOCAL', 'GLOBAL']).optional(),
      }),
    )
    .optional(),
  enablePrometheusMerge: z.boolean().optional(),
  verifyCertificateAtClient: z.boolean().optional(),
  ca: z
    .strictObject({
      address: z.string().optional(),
      tlsSettings: clientTlsSettings.optional(),
      requestTimeout: duration.optional(),
      istiodSide: z.boolean().optional(),
    })
    .optional(),
  extensionProviders: z.array(extensionProvider).optional(),
  defaultProviders: z
    .strictObject({ tracing: stringList.optional(), metrics: stringList.optional(), accessLogging: stringList.optional() })
    .optional(),
  discoverySelectors: z.array(labelSelector).optional(),
  pathNormalization: z
    .strictObject({
      normalization: z.enum(['DEFAULT', 'NONE', 'BASE', 'MERGE_SLASHES', 'DECODE_AND_MERGE_SLASHES']).optional(),
    })
    .optional(),
  defaultHttpRetryPolicy: httpRetry.optional(),
  meshMTLS: tlsConfig.optional(),
  tlsDefaults: tlsConfig.optional(),
  defaultTrafficPolicy: z
    .strictObject({ connectionPool: connectionPoolSettings.optional(), outlierDetection: outlierDetection.optional() })
    .optional(),
  serviceEntryVisibility: data.optional(),
});

export type RawMeshConfig = z.output<typeof meshConfigSchema>;
