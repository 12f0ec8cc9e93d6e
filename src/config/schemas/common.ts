/**
 * Building blocks shared by the kinds' schemas: Kubernetes ObjectMeta, Istio's
 * WorkloadSelector and PolicyTargetReference, protobuf durations and the
 * number-or-numeric-string that protobuf JSON accepts for integers.
 */
import { z } from 'zod';

/** `a` is assignable to `b`, or the build fails: keeps schemas and kinds.ts in step. */
export type AssertAssignable<A extends B, B> = A;

export const stringMap = z.record(z.string(), z.string());
export const stringList = z.array(z.string());

/** Go/protobuf durations as Istio writes them: `10s`, `1.5s`, `500ms`, `1h2m`. */
export const duration = z
  .string()
  .regex(/^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/, { message: 'must be a duration such as "10s", "500ms" or "1h2m"' });

/** protobuf JSON accepts integers as numbers or decimal strings (`port: "8000"` in MeshConfig). */
export const uint32 = z.union([
  z.number().int().min(0).max(4_294_967_295),
  z
    .string()
    .regex(/^\d{1,10}$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().max(4_294_967_295)),
]);

export const int32 = z.number().int().min(-2_147_483_648).max(2_147_483_647);
export const portNumber = z.number().int().min(0).max(65_535);

export const workloadSelector = z.strictObject({ matchLabels: stringMap.optional() });

export const policyTargetReference = z.strictObject({
  group: z.string().optional(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
});

const managedFieldsEntry = z.strictObject({
  apiVersion: z.string().optional(),
  fieldsType: z.string().optional(),
  fieldsV1: z.record(z.string(), z.unknown()).optional(),
  manager: z.string().optional(),
  operation: z.string().optional(),
  subresource: z.string().optional(),
  time: z.string().optional(),
});

const ownerReference = z.strictObject({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  uid: z.string(),
  controller: z.boolean().optional(),
  blockOwnerDeletion: z.boolean().optional(),
});

/** Kubernetes ObjectMeta: what users write plus what `kubectl get -o yaml` adds. */
export const objectMeta = z.strictObject({
  name: z.string({ error: 'metadata.name is required' }),
  namespace: z.string().default('default'),
  labels: stringMap.optional(),
  annotations: stringMap.optional(),
  creationTimestamp: z.union([z.string(), z.null()]).optional().transform((v) => v ?? undefined),
  generateName: z.string().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  generation: z.number().int().optional(),
  deletionTimestamp: z.string().optional(),
  deletionGracePeriodSeconds: z.number().int().optional(),
  selfLink: z.string().optional(),
  finalizers: stringList.optional(),
  ownerReferences: z.array(ownerReference).optional(),
  managedFields: z.array(managedFieldsEntry).optional(),
});
