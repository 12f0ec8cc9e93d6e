/** security.istio.io RequestAuthentication: which JWT issuers a workload accepts, and how. */
import { z } from 'zod';
import type { RequestAuthenticationSpec } from '../kinds.js';
import { duration, policyTargetReference, stringList, workloadSelector, type AssertAssignable } from './common.js';

const jwtRule = z.strictObject({
  issuer: z.string(),
  audiences: stringList.optional(),
  jwksUri: z.string().optional(),
  jwks: z.string().optional(),
  fromHeaders: z.array(z.strictObject({ name: z.string(), prefix: z.string().optional() })).optional(),
  fromParams: stringList.optional(),
  fromCookies: stringList.optional(),
  outputPayloadToHeader: z.string().optional(),
  forwardOriginalToken: z.boolean().optional(),
  outputClaimToHeaders: z.array(z.strictObject({ header: z.string(), claim: z.string() })).optional(),
  spaceDelimitedClaims: stringList.optional(),
  timeout: duration.optional(),
});

export const requestAuthenticationSpec = z.strictObject({
  selector: workloadSelector.optional(),
  targetRef: policyTargetReference.optional(),
  targetRefs: z.array(policyTargetReference).optional(),
  jwtRules: z.array(jwtRule).optional(),
});

type _Check = AssertAssignable<z.output<typeof requestAuthenticationSpec>, RequestAuthenticationSpec>;
