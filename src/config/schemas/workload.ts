/** meshguard.dev/v1alpha1 Workload: a workload outside Kubernetes, described as a pod would be. */
import { z } from 'zod';
import type { WorkloadSpec } from '../kinds.js';
import { portNumber, stringMap, type AssertAssignable } from './common.js';

export const workloadSpec = z.strictObject({
  // Kubernetes gives every pod the `default` service account unless told otherwise.
  serviceAccount: z.string().default('default'),
  ports: z
    .array(
      z.strictObject({
        name: z.string().optional(),
        port: portNumber.min(1),
        protocol: z.enum(['http', 'http2', 'grpc', 'tcp']).optional(),
      }),
    )
    .optional(),
  command: z.array(z.string()).min(1).optional(),
  env: stringMap.optional(),
  // A local workload is meshed unless it opts out, as injection is on in a labelled namespace.
  sidecar: z.boolean().default(true),
  address: z.string().optional(),
});

type _Check = AssertAssignable<z.output<typeof workloadSpec>, WorkloadSpec>;
