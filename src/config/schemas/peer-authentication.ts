/** security.istio.io PeerAuthentication: which mTLS mode a workload's inbound ports accept. */
import { z } from 'zod';
import type { PeerAuthenticationSpec } from '../kinds.js';
import { workloadSelector, type AssertAssignable } from './common.js';

const mtls = z.strictObject({ mode: z.enum(['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT']).optional() });

export const peerAuthenticationSpec = z.strictObject({
  selector: workloadSelector.optional(),
  mtls: mtls.optional(),
  // Keys are port numbers; YAML may write them as numbers, the record keeps them as strings.
  portLevelMtls: z.record(z.string(), mtls).optional(),
});

type _Check = AssertAssignable<z.output<typeof peerAuthenticationSpec>, PeerAuthenticationSpec>;
