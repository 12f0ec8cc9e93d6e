/** networking.istio.io VirtualService: HTTP, TLS and TCP routes, with every field of Istio's schema. */
import { z } from 'zod';
import type { VirtualServiceSpec } from '../kinds.js';
import { duration, int32, stringList, stringMap, uint32, type AssertAssignable } from './common.js';
import { destination, httpRetry, percent, stringMatch } from './networking-common.js';

const headerOperations = z.strictObject({
  set: stringMap.optional(),
  add: stringMap.optional(),
  remove: stringList.optional(),
});
const headers = z.strictObject({ request: headerOperations.optional(), response: headerOperations.optional() });
const stringMatchMap = z.record(z.string(), stringMatch);

const httpMatchRequest = z.strictObject({
  name: z.string().optional(),
  uri: stringMatch.optional(),
  scheme: stringMatch.optional(),
  method: stringMatch.optional(),
  authority: stringMatch.optional(),
  headers: stringMatchMap.optional(),
  port: uint32.optional(),
  sourceLabels: stringMap.optional(),
  gateways: stringList.optional(),
  queryParams: stringMatchMap.optional(),
  ignoreUriCase: z.boolean().optional(),
  withoutHeaders: stringMatchMap.optional(),
  sourceNamespace: z.string().optional(),
  statPrefix: z.string().optional(),
});

const httpRouteDestination = z.strictObject({ destination, weight: int32.optional(), headers: headers.optional() });
const routeDestination = z.strictObject({ destination, weight: int32.optional() });

const httpRedirect = z.strictObject({
  uri: z.string().optional(),
  authority: z.string().optional(),
  port: uint32.optional(),
  derivePort: z.enum(['FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT']).optional(),
  scheme: z.string().optional(),
  redirectCode: uint32.optional(),
  prefixRewrite: z.string().optional(),
});

const httpDirectResponse = z.strictObject({
  status: uint32,
  body: z.strictObject({ string: z.string().optional(), bytes: z.string().optional() }).optional(),
});

const httpRewrite = z.strictObject({
  uri: z.string().optional(),
  authority: z.string().optional(),
  uriRegexRewrite: z.strictObject({ match: z.string().optional(), rewrite: z.string().optional() }).optional(),
});

const fault = z.strictObject({
  delay: z
    .strictObject({
      percent: int32.optional(),
      fixedDelay: duration.optional(),
      exponentialDelay: duration.optional(),
      percentage: percent.optional(),
    })
    .optional(),
  abort: z
    .strictObject({
      httpStatus: int32.optional(),
      grpcStatus: z.string().optional(),
      http2Error: z.string().optional(),
      percentage: percent.optional(),
    })
    .optional(),
});

const corsPolicy = z.strictObject({
  allowOrigin: stringList.optional(),
  allowOrigins: z.array(stringMatch).optional(),
  allowMethods: stringList.optional(),
  allowHeaders: stringList.optional(),
  exposeHeaders: stringList.optional(),
  maxAge: duration.optional(),
  allowCredentials: z.boolean().optional(),
  unmatchedPreflights: z.enum(['UNSPECIFIED', 'FORWARD', 'IGNORE']).optional(),
});

const httpRoute = z.strictObject({
  name: z.string().optional(),
  match: z.array(httpMatchRequest).optional(),
  route: z.array(httpRouteDestination).optional(),
  redirect: httpRedirect.optional(),
  directResponse: httpDirectResponse.optional(),
  delegate: z.strictObject({ name: z.string().optional(), namespace: z.string().optional() }).optional(),
  rewrite: httpRewrite.optional(),
  timeout: duration.optional(),
  retries: httpRetry.optional(),
  fault: fault.optional(),
  mirror: destination.optional(),
  mirrors: z.array(z.strictObject({ destination, percentage: percent.optional() })).optional(),
  mirrorPercent: uint32.optional(),
  mirrorPercentage: percent.optional(),
  corsPolicy: corsPolicy.optional(),
  headers: headers.optional(),
});

const l4Match = {
  destinationSubnets: stringList.optional(),
  port: uint32.optional(),
  sourceLabels: stringMap.optional(),
  gateways: stringList.optional(),
  sourceNamespace: z.string().optional(),
};

const tlsRoute = z.strictObject({
  match: z.array(z.strictObject({ sniHosts: stringList, ...l4Match })).optional(),
  route: z.array(routeDestination).optional(),
});

const tcpRoute = z.strictObject({
  match: z.array(z.strictObject({ sourceSubnet: z.string().optional(), ...l4Match })).optional(),
  route: z.array(routeDestination).optional(),
});

export const virtualServiceSpec = z.strictObject({
  hosts: stringList.optional(),
  gateways: stringList.optional(),
  http: z.array(httpRoute).optional(),
  tls: z.array(tlsRoute).optional(),
  tcp: z.array(tcpRoute).optional(),
  exportTo: stringList.optional(),
});

type _Check = AssertAssignable<z.output<typeof virtualServiceSpec>, VirtualServiceSpec>;
