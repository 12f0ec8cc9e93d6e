/**
 * A verified token as authorization sees it (Istio's `request.auth.*`
 * attributes): principal `iss/sub`, audiences, presenter (`azp`), and claims
 * whose values are matched as lists of strings. `scope` and `permission` are
 * space-delimited by default in Istio; `spaceDelimitedClaims` adds more.
 */
import type { JWTPayload } from 'jose';
import type { JwtRule } from '../../config/kinds.js';

/** Claims Istio always treats as space-delimited strings. */
export const DEFAULT_SPACE_DELIMITED_CLAIMS: readonly string[] = Object.freeze(['scope', 'permission']);

export interface RequestAuthAttributes {
  /** `request.auth.principal`, e.g. `auth@istioinaction.io/218d3fb9-…`. */
  principal: string;
  issuer: string;
  /** `request.auth.audiences`. */
  audiences: string[];
  /** `request.auth.presenter`, the `azp` claim. */
  presenter?: string;
  /** `request.auth.claims`: the verified payload, untouched. */
  claims: Record<string, unknown>;
  /** Top-level claims whose string value is also matched word by word. */
  spaceDelimited: readonly string[];
}

/**
 * Attributes for authorization from a verified payload and the rule that
 * verified it.
 *
 * @example
 * claimsToAuthAttributes({ iss: 'a@b', sub: 'u1', scope: 'read write' }, rule).principal // 'a@b/u1'
 */
export function claimsToAuthAttributes(payload: JWTPayload, rule: Pick<JwtRule, 'spaceDelimitedClaims'>): RequestAuthAttributes {
  const aud = payload.aud === undefined ? [] : typeof payload.aud === 'string' ? [payload.aud] : [...payload.aud];
  const azp = payload.azp;
  return {
    principal: `${payload.iss ?? ''}/${payload.sub ?? ''}`,
    issuer: payload.iss ?? '',
    audiences: aud,
    ...(typeof azp === 'string' ? { presenter: azp } : {}),
    claims: { ...payload },
    spaceDelimited: [...new Set([...DEFAULT_SPACE_DELIMITED_CLAIMS, ...(rule.spaceDelimitedClaims ?? [])])],
  };
}

/**
 * The string values of a claim path (`['groups']`, `['realm', 'roles']`), as
 * `request.auth.claims[...]` matches them: a string is one value (plus its
 * words when the claim is space-delimited), a list gives its strings, anything
 * else gives nothing.
 *
 * @example
 * claimValues(attrs, ['scope']) // ['read write', 'read', 'write']
 */
export function claimValues(attrs: RequestAuthAttributes, path: readonly string[]): string[] {
  let value: unknown = attrs.claims;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, key)) return [];
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value === 'string') {
    const top = path.length === 1 && attrs.spaceDelimited.includes(path[0] as string);
    return top ? [value, ...value.split(' ').filter((w) => w !== '' && w !== value)] : [value];
  }
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/**
 * Split a request principal back into issuer and subject at the last `/`
 * (issuers are often URLs with slashes; subjects usually are not).
 *
 * @example
 * splitRequestPrincipal('https://accounts.example.com/realms/x/u1') // { issuer: 'https://accounts.example.com/realms/x', subject: 'u1' }
 */
export function splitRequestPrincipal(principal: string): { issuer: string; subject: string } {
  const at = principal.lastIndexOf('/');
  return at < 0 ? { issuer: principal, subject: '' } : { issuer: principal.slice(0, at), subject: principal.slice(at + 1) };
}
