/**
 * SPIFFE ID validation for registration entries: the identity layer's parser
 * (`src/identity/spiffe-id.ts`, the SPIFFE ID spec) decides; this module only
 * adds the entry rules (our trust domain, a non-empty path) and says each
 * refusal in words an operator can act on.
 */
import { type IdentityError, parseSpiffeId, pathOf, trustDomainOf, workloadId, parseTrustDomain } from '../../identity/index.js';
import { ControlError } from '../errors.js';

/** The parser's reason → what to tell the operator. */
const REASONS: Record<string, string> = {
  'too-long': 'it is longer than 2048 bytes',
  scheme: 'it must start with spiffe://',
  'empty-trust-domain': 'the trust domain is empty',
  'trust-domain-chars': 'the trust domain may hold only lower-case letters, digits, ".", "-" and "_" (no port or user info)',
  'trust-domain-too-long': 'the trust domain is longer than 255 bytes',
  'empty-segment': 'path segments may not be empty (no "//" or trailing "/")',
  'dot-segment': 'path segments may not be "." or ".."',
};

/**
 * Returns `id` when it is a valid SPIFFE ID in `trustDomain` with a non-empty path.
 *
 * @example
 *   checkWorkloadSpiffeId('spiffe://cluster.local/ns/payments/sa/checkout', 'cluster.local');
 */
export function checkWorkloadSpiffeId(id: string, trustDomain: string): string {
  const fail = (why: string): never => { throw new ControlError('MG_SPIFFE_ID_INVALID', `"${id}" is not a valid SPIFFE ID: ${why}`); };
  if (typeof id !== 'string' || id.length === 0) fail('it is empty');
  // The parser calls these bad path characters; operators think of them as a URL's query or fragment.
  if (id.startsWith('spiffe://') && /[?#]/.test(id)) fail('a query or fragment is not allowed');
  let parsed;
  try {
    parsed = parseSpiffeId(id);
  } catch (err) {
    const reason = (err as IdentityError).reason ?? '';
    if (reason === 'path-chars') {
      const seg = id.slice('spiffe://'.length).split('/').slice(1).find((s) => !/^[A-Za-z0-9._-]*$/.test(s));
      fail(`path segment "${seg ?? ''}" may hold only letters, digits, ".", "-" and "_"`);
    }
    if (reason === 'empty-segment' && id.endsWith('/') && pathOf(id.slice(0, -1) as never) === '') fail('a workload ID needs a path, e.g. /ns/<ns>/sa/<sa>');
    fail(REASONS[reason] ?? 'it does not follow the SPIFFE ID spec');
  }
  if (trustDomainOf(parsed!) !== trustDomain) fail(`the trust domain must be ${trustDomain}`);
  if (pathOf(parsed!) === '') fail('a workload ID needs a path, e.g. /ns/<ns>/sa/<sa>');
  return id;
}

/** The default identity of a workload without a registration entry (`spiffe://<td>/ns/<ns>/sa/<sa>`). */
export function defaultSpiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  return workloadId(parseTrustDomain(trustDomain), namespace, serviceAccount);
}
