/** networking.istio.io Gateway: servers (port, hosts, TLS) of an ingress or egress proxy. */
import { z } from 'zod';
import type { GatewaySpec } from '../kinds.js';
import { stringList, stringMap, uint32, type AssertAssignable } from './common.js';

const tlsProtocol = z.enum(['TLS_AUTO', 'TLSV1_0', 'TLSV1_1', 'TLSV1_2', 'TLSV1_3']);

const serverTls = z.strictObject({
  httpsRedirect: z.boolean().optional(),
  mode: z.enum(['PASSTHROUGH', 'SIMPLE', 'MUTUAL', 'AUTO_PASSTHROUGH', 'ISTIO_MUTUAL', 'OPTIONAL_MUTUAL']).optional(),
  serverCertificate: z.string().optional(),
  privateKey: z.string().optional(),
  caCertificates: z.string().optional(),
  caCrl: z.string().optional(),
  credentialName: z.string().optional(),
  credentialNames: stringList.optional(),
  caCertCredentialName: z.string().optional(),
  tlsCertificates: z
    .array(
      z.strictObject({
        serverCertificate: z.string().optional(),
        privateKey: z.string().optional(),
        caCertificates: z.string().optional(),
      }),
    )
    .optional(),
  subjectAltNames: stringList.optional(),
  verifyCertificateSpki: stringList.optional(),
  verifyCertificateHash: stringList.optional(),
  minProtocolVersion: tlsProtocol.optional(),
  maxProtocolVersion: tlsProtocol.optional(),
  cipherSuites: stringList.optional(),
  insecureSkipVerify: z.boolean().optional(),
});

const server = z.strictObject({
  port: z.strictObject({
    number: z.number().int().min(0).max(65_535),
    protocol: z.string(),
    name: z.string().optional(),
    targetPort: uint32.optional(),
  }),
  bind: z.string().optional(),
  hosts: stringList,
  tls: serverTls.optional(),
  defaultEndpoint: z.string().optional(),
  name: z.string().optional(),
});

export const gatewaySpec = z.strictObject({
  selector: stringMap.optional(),
  servers: z.array(server).optional(),
});

type _Check = AssertAssignable<z.output<typeof gatewaySpec>, GatewaySpec>;
