/**
 * SPIFFE ID validation for registration entries, per the SPIFFE ID spec
 * (scheme `spiffe`, lower-case trust domain, path segments of [A-Za-z0-9.-_],
 * no empty, `.` or `..` segment, no query, fragment, port or userinfo).
 * Temporary: to be replaced by `src/identity/spiffe-id.ts` when it lands.
 */
import { ControlError } from '../errors.js';

const TRUST_DOMAIN = /^[a-z0-9._-]+$/;
const SEGMENT = /^[A-Za-z0-9._-]+$/;
const MAX_LENGTH = 2048;

/**
 * Returns `id` when it is a valid SPIFFE ID in `trustDomain` with a non-empty path.
 *
 * @example
 *   checkWorkloadSpiffeId('spiffe://cluster.local/ns/payments/sa/checkout', 'cluster.local');
 */
export function checkWorkloadSpiffeId(id: string, trustDomain: string): string {
  const fail = (why: string): never => { throw new ControlError('MG_SPIFFE_ID_INVALID', `"${id}" is not a valid SPIFFE ID: ${why}`); };
  if (typeof id !== 'string' || id.length === 0) fail('it is empty');
  if (id.length > MAX_LENGTH) fail(`it is longer than ${MAX_LENGTH} bytes`);
  if (!id.startsWith('spiffe://')) fail('it must start with spiffe://');
  if (/[?#]/.test(id)) fail('a query or fragment is not allowed');
  const rest = id.slice('spiffe://'.length);
  const slash = rest.indexOf('/');
  const td = slash === -1 ? rest : rest.slice(0, slash);
  if (!TRUST_DOMAIN.test(td)) fail('the trust domain may hold only lower-case letters, digits, ".", "-" and "_" (no port or user info)');
  if (td !== trustDomain) fail(`the trust domain must be ${trustDomain}`);
  if (slash === -1 || slash === rest.length - 1) fail('a workload ID needs a path, e.g. /ns/<ns>/sa/<sa>');
  for (const seg of rest.slice(slash + 1).split('/')) {
    if (seg === '') fail('path segments may not be empty (no "//" or trailing "/")');
    if (seg === '.' || seg === '..') fail('path segments may not be "." or ".."');
    if (!SEGMENT.test(seg)) fail(`path segment "${seg}" may hold only letters, digits, ".", "-" and "_"`);
  }
  return id;
}

/** The default identity of a workload without a registration entry. */
export function defaultSpiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}
