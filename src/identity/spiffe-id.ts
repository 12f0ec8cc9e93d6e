import { IdentityError, IdentityErrorCode } from './errors.js';

/** A trust domain name, checked by the SPIFFE ID spec (`cluster.local`). */
export type TrustDomain = string & { readonly __brand: 'TrustDomain' };
/** A SPIFFE ID, checked by the SPIFFE ID spec (`spiffe://cluster.local/ns/default/sa/web`). */
export type SpiffeId = string & { readonly __brand: 'SpiffeId' };

const SCHEME = 'spiffe://';
// The SPIFFE ID spec: IDs are at most 2048 bytes, trust domains at most 255.
const MAX_ID_BYTES = 2048;
const MAX_TD_BYTES = 255;
const TD_CHARS = /^[a-z0-9._-]+$/;
const SEGMENT_CHARS = /^[a-zA-Z0-9._-]+$/;

function invalid(input: string, reason: string): IdentityError {
  // The input is echoed truncated: a 2 KB garbage string should not flood a log line.
  const shown = input.length > 80 ? `${input.slice(0, 80)}…` : input;
  return new IdentityError(IdentityErrorCode.SPIFFE_ID_INVALID, `invalid SPIFFE ID "${shown}": ${reason}`, { reason });
}

/**
 * Checks a trust domain name: lowercase letters, digits, `.`, `-`, `_`; 1–255 bytes.
 * @example parseTrustDomain('cluster.local') // 'cluster.local' as TrustDomain
 */
export function parseTrustDomain(input: string): TrustDomain {
  if (input.length === 0) throw invalid(input, 'empty-trust-domain');
  if (input.length > MAX_TD_BYTES) throw invalid(input, 'trust-domain-too-long');
  if (!TD_CHARS.test(input)) throw invalid(input, 'trust-domain-chars');
  return input as TrustDomain;
}

/**
 * Parses a SPIFFE ID strictly: lowercase `spiffe://` scheme, a valid trust domain, no
 * port/userinfo/query/fragment, path segments non-empty, not `.`/`..`, of `[a-zA-Z0-9._-]`.
 * @example parseSpiffeId('spiffe://cluster.local/ns/default/sa/web')
 */
export function parseSpiffeId(input: string): SpiffeId {
  if (Buffer.byteLength(input, 'utf8') > MAX_ID_BYTES) throw invalid(input, 'too-long');
  if (!input.startsWith(SCHEME)) throw invalid(input, 'scheme');
  const rest = input.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const td = slash === -1 ? rest : rest.slice(0, slash);
  if (td.length === 0) throw invalid(input, 'empty-trust-domain');
  if (!TD_CHARS.test(td)) throw invalid(input, 'trust-domain-chars');
  if (td.length > MAX_TD_BYTES) throw invalid(input, 'trust-domain-too-long');
  if (slash === -1) return input as SpiffeId;
  const path = rest.slice(slash);
  for (const segment of path.slice(1).split('/')) {
    if (segment.length === 0) throw invalid(input, 'empty-segment');
    if (segment === '.' || segment === '..') throw invalid(input, 'dot-segment');
    if (!SEGMENT_CHARS.test(segment)) throw invalid(input, 'path-chars');
  }
  return input as SpiffeId;
}

/** `true` when `input` parses as a SPIFFE ID. */
export function isSpiffeId(input: string): input is SpiffeId {
  try {
    parseSpiffeId(input);
    return true;
  } catch {
    return false;
  }
}

/**
 * The trust domain of an ID.
 * @example trustDomainOf(id) // 'cluster.local'
 */
export function trustDomainOf(id: SpiffeId): TrustDomain {
  const rest = id.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  return (slash === -1 ? rest : rest.slice(0, slash)) as TrustDomain;
}

/** The path of an ID (`/ns/default/sa/web`, or `` for the trust domain's own ID). */
export function pathOf(id: SpiffeId): string {
  const rest = id.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  return slash === -1 ? '' : rest.slice(slash);
}

/**
 * The ID of a Kubernetes-style workload, as Istio forms it.
 * @example workloadId(td, 'default', 'web') // 'spiffe://cluster.local/ns/default/sa/web'
 */
export function workloadId(td: TrustDomain, namespace: string, serviceAccount: string): SpiffeId {
  return parseSpiffeId(`${SCHEME}${td}/ns/${namespace}/sa/${serviceAccount}`);
}

/** The trust domain's own ID (`spiffe://cluster.local`), carried in CA certificates. */
export function trustDomainId(td: TrustDomain): SpiffeId {
  return `${SCHEME}${td}` as SpiffeId;
}

/**
 * Istio's principal form: the ID without its scheme.
 * @example principalOf(id) // 'cluster.local/ns/default/sa/web'
 */
export function principalOf(id: SpiffeId): string {
  return id.slice(SCHEME.length);
}
