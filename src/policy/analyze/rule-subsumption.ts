/**
 * "Does every request that rule R matches also match rule D?" — decided on the
 * written values, conservatively: `true` only when it is certain. Used to find
 * ALLOW rules that a DENY rule shadows. Values are Istio string matches: exact,
 * `prefix*`, `*suffix`, or `*`.
 */
import type { AuthzCondition, AuthzOperation, AuthzRule, AuthzSource } from '../../config/kinds.js';

/** Is every string pattern `inner` can match also matched by `outer`? */
export function patternCovers(outer: string, inner: string): boolean {
  if (outer === '*') return true;
  if (outer.endsWith('*')) {
    const prefix = outer.slice(0, -1);
    // inner's fixed prefix must start with outer's prefix: exact or prefix* (a suffix pattern can be anything at the start)
    return !inner.startsWith('*') && (inner.endsWith('*') ? inner.slice(0, -1) : inner).startsWith(prefix);
  }
  if (outer.startsWith('*')) {
    const suffix = outer.slice(1);
    return !inner.endsWith('*') && (inner.startsWith('*') ? inner.slice(1) : inner).endsWith(suffix);
  }
  return outer === inner;
}

/**
 * How a field's values compare. Hosts match case-insensitively, so both sides are
 * lowered; IP fields hold CIDRs, where string patterns say nothing about containment
 * (`10.1.0.0/16` lies inside `10.0.0.0/8`), so only equal strings count as covered —
 * the same for `when` keys on the Host header, whose case rules we do not assume.
 */
type Kind = 'string' | 'host' | 'opaque';

const HOST_KEYS = new Set(['hosts', 'notHosts']);
const CIDR_KEYS = new Set(['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks']);
const CIDR_CONDITIONS = new Set(['source.ip', 'remote.ip', 'destination.ip']);

function covers(kind: Kind, outer: string, inner: string): boolean {
  if (kind === 'opaque') return outer === inner;
  if (kind === 'host') return patternCovers(outer.toLowerCase(), inner.toLowerCase());
  return patternCovers(outer, inner);
}

/** Could a value matched by `inner` also be matched by `outer`? Only certain "no" answers are false. */
function mayOverlap(kind: Kind, outer: string, inner: string): boolean {
  if (kind === 'opaque' || inner.includes('*')) return true;
  return covers(kind, outer, inner);
}

/** All of inner's values covered by some outer value. */
function valuesCovered(kind: Kind, outer: string[], inner: string[] | undefined): boolean {
  return inner !== undefined && inner.length > 0 && inner.every((v) => outer.some((o) => covers(kind, o, v)));
}

/**
 * A `notX: outer` constraint holds for everything inner matches when inner's positive
 * values are exact and none is matched by outer, or inner excludes at least as much.
 */
function negationHolds(kind: Kind, outerNot: string[], innerPos: string[] | undefined, innerNot: string[] | undefined): boolean {
  if (innerPos?.length && innerPos.every((v) => !outerNot.some((o) => mayOverlap(kind, o, v)))) return true;
  return innerNot !== undefined && outerNot.every((o) => innerNot.some((i) => covers(kind, i, o)));
}

function fieldsCover<T extends object>(outer: T, inner: T, kindOf: (key: string) => Kind): boolean {
  for (const [key, value] of Object.entries(outer) as [string, string[] | undefined][]) {
    if (!value || value.length === 0) continue;
    const rec = inner as Record<string, string[] | undefined>;
    if (key.startsWith('not')) {
      const pos = key[3]!.toLowerCase() + key.slice(4);
      if (!negationHolds(kindOf(key), value, rec[pos], rec[key])) return false;
    } else if (!valuesCovered(kindOf(key), value, rec[key])) {
      return false;
    }
  }
  return true;
}

function fieldKind(key: string): Kind {
  return HOST_KEYS.has(key) ? 'host' : CIDR_KEYS.has(key) ? 'opaque' : 'string';
}

function conditionsCover(outer: AuthzCondition[], inner: AuthzCondition[]): boolean {
  return outer.every((oc) => {
    const kind: Kind = CIDR_CONDITIONS.has(oc.key) || /^request\.headers\[(host|:authority)\]$/i.test(oc.key) ? 'opaque' : 'string';
    return inner.some((ic) => ic.key === oc.key && fieldsCover(
      { values: oc.values, notValues: oc.notValues }, { values: ic.values, notValues: ic.notValues }, () => kind));
  });
}

/** Every inner clause (OR-ed list) is covered by some outer clause; an empty outer list matches all. */
function clausesCover<T extends object>(outer: (T | undefined)[] | undefined, inner: (T | undefined)[] | undefined): boolean {
  if (!outer || outer.length === 0) return true;
  if (!inner || inner.length === 0) return outer.some((o) => !o || Object.values(o).every((v) => !v || (v as unknown[]).length === 0));
  return inner.every((i) => outer.some((o) => !o || fieldsCover(o, i ?? ({} as T), fieldKind)));
}

/** True when rule `outer` certainly matches every request rule `inner` matches. */
export function ruleCovers(outer: AuthzRule, inner: AuthzRule): boolean {
  return (
    clausesCover<AuthzSource>(outer.from?.map((f) => f.source), inner.from?.map((f) => f.source)) &&
    clausesCover<AuthzOperation>(outer.to?.map((t) => t.operation), inner.to?.map((t) => t.operation)) &&
    conditionsCover(outer.when ?? [], inner.when ?? [])
  );
}

