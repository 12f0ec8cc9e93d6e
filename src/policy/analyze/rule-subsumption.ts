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

/** All of inner's values covered by some outer value. */
function valuesCovered(outer: string[], inner: string[] | undefined): boolean {
  return inner !== undefined && inner.length > 0 && inner.every((v) => outer.some((o) => patternCovers(o, v)));
}

/**
 * A `notX: outer` constraint holds for everything inner matches when inner's positive
 * values are exact and none is matched by outer, or inner excludes at least as much.
 */
function negationHolds(outerNot: string[], innerPos: string[] | undefined, innerNot: string[] | undefined): boolean {
  if (innerPos?.length && innerPos.every((v) => !v.includes('*') && !outerNot.some((o) => patternCovers(o, v)))) return true;
  return innerNot !== undefined && outerNot.every((o) => innerNot.some((i) => patternCovers(i, o)));
}


function fieldsCover<T extends object>(outer: T, inner: T): boolean {
  for (const [key, value] of Object.entries(outer) as [string, string[] | undefined][]) {
    if (!value || value.length === 0) continue;
    const rec = inner as Record<string, string[] | undefined>;
    if (key.startsWith('not')) {
      const pos = key[3]!.toLowerCase() + key.slice(4);
      if (!negationHolds(value, rec[pos], rec[key])) return false;
    } else if (!valuesCovered(value, rec[key])) {
      return false;
    }
  }
  return true;
}

function conditionsCover(outer: AuthzCondition[], inner: AuthzCondition[]): boolean {
  return outer.every((oc) => inner.some((ic) => ic.key === oc.key && fieldsCover(
    { values: oc.values, notValues: oc.notValues }, { values: ic.values, notValues: ic.notValues })));
}

/** Every inner clause (OR-ed list) is covered by some outer clause; an empty outer list matches all. */
function clausesCover<T extends object>(outer: (T | undefined)[] | undefined, inner: (T | undefined)[] | undefined): boolean {
  if (!outer || outer.length === 0) return true;
  if (!inner || inner.length === 0) return outer.some((o) => !o || Object.values(o).every((v) => !v || (v as unknown[]).length === 0));
  return inner.every((i) => outer.some((o) => !o || fieldsCover(o, i ?? ({} as T))));
}

/** True when rule `outer` certainly matches every request rule `inner` matches. */
export function ruleCovers(outer: AuthzRule, inner: AuthzRule): boolean {
  return (
    clausesCover<AuthzSource>(outer.from?.map((f) => f.source), inner.from?.map((f) => f.source)) &&
    clausesCover<AuthzOperation>(outer.to?.map((t) => t.operation), inner.to?.map((t) => t.operation)) &&
    conditionsCover(outer.when ?? [], inner.when ?? [])
  );
}

