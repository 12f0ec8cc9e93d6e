/**
 * Strict shapes of CA API requests: unknown fields are refused, sizes bounded,
 * exactly one CSR form. Parsed once at the edge; handlers trust the result.
 */
import { z } from 'zod';
import type { MintJwtSvidRequest, RenewRequest, SignRequest } from '../ca-api/protocol.js';
import { CaServiceError, CaServiceErrorCode } from './errors.js';

// A PEM CSR of the largest DER we accept (64 KiB) is under 90 KiB; anything larger is refused as too large by the CSR parser's own limit.
const MAX_CSR_TEXT = 96 * 1024;
const MAX_TOKEN = 16 * 1024;

const csrFields = {
  csrPem: z.string().max(MAX_CSR_TEXT).optional(),
  csrDer: z.string().max(MAX_CSR_TEXT).optional(),
  ttlSeconds: z.number().int().positive().max(365 * 86400).optional(),
};
const oneCsr = (r: { csrPem?: string | undefined; csrDer?: string | undefined }) => (r.csrPem === undefined) !== (r.csrDer === undefined);
const ONE_CSR = { message: 'give exactly one of csrPem and csrDer' };

const SignSchema = z.strictObject({
  ...csrFields,
  attestation: z.strictObject({
    type: z.enum(['join', 'local', 'k8s-psat']),
    token: z.string().min(1).max(MAX_TOKEN),
    namespace: z.string().max(63).optional(),
    serviceAccount: z.string().max(253).optional(),
  }),
}).refine(oneCsr, ONE_CSR);

const RenewSchema = z.strictObject(csrFields).refine(oneCsr, ONE_CSR);

const MintJwtSchema = z.strictObject({
  audience: z.array(z.string().min(1).max(256)).min(1).max(16),
  ttlSeconds: z.number().int().positive().max(3600).optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  // Paths and zod's messages only: never the values, which may hold a token.
  const problems = r.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`).join('; ');
  throw new CaServiceError(CaServiceErrorCode.BAD_REQUEST, `${what} request is invalid: ${problems}`);
}

export const parseSignRequest = (v: unknown): SignRequest => parse(SignSchema, v, 'Sign') as SignRequest;
export const parseRenewRequest = (v: unknown): RenewRequest => parse(RenewSchema, v, 'Renew') as RenewRequest;
export const parseMintJwtSvidRequest = (v: unknown): MintJwtSvidRequest => parse(MintJwtSchema, v, 'MintJwtSvid');
