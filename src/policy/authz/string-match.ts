/**
 * The value-match expressions of AuthorizationPolicy, compiled the way Istio's
 * `authz/matcher` package turns them into Envoy matchers: exact, `prefix*`,
 * `*suffix` and `*` (presence). A `*` anywhere else is a literal character.
 */

export type MatchKind = 'exact' | 'prefix' | 'suffix' | 'present' | 'nonEmpty' | 'regex';

export interface StringMatch {
  readonly kind: MatchKind;
  /** The written value, for explanations. */
  readonly written: string;
  /**
   * Set when the whole test is one case-sensitive exact/prefix/suffix comparison
   * against this literal, so callers can inline it.
   */
  readonly literal?: string;
  test(actual: string): boolean;
}

function make(kind: MatchKind, written: string, test: (a: string) => boolean, literal?: string): StringMatch {
  return { kind, written, test, literal };
}

/**
 * Istio `StringMatcherWithPrefix`: `*` means "any non-empty value" (regex `.+`);
 * `*x` a suffix (with `prefix` still required in front), `x*` a prefix, else exact.
 * `prefix` is what Istio prepends (`spiffe://` for principals).
 *
 * @example
 * stringMatch('cluster.local/ns/a/*', 'spiffe://').test('spiffe://cluster.local/ns/a/sa/b') // true
 */
export function stringMatch(value: string, prefix = '', ignoreCase = false): StringMatch {
  if (value === '*') return make('nonEmpty', value, (a) => a.length > 0);
  if (value.startsWith('*')) {
    const suffix = ignoreCase ? value.slice(1).toLowerCase() : value.slice(1);
    const min = prefix.length + suffix.length;
    if (ignoreCase) return make('suffix', value, (a) => a.length >= min && a.startsWith(prefix) && a.toLowerCase().endsWith(suffix));
    return make('suffix', value, (a) => a.length >= min && a.startsWith(prefix) && a.endsWith(suffix), prefix === '' ? suffix : undefined);
  }
  if (value.endsWith('*')) {
    const start = prefix + value.slice(0, -1);
    if (ignoreCase) {
      const lower = start.toLowerCase();
      return make('prefix', value, (a) => a.length >= lower.length && a.slice(0, lower.length).toLowerCase() === lower);
    }
    return make('prefix', value, (a) => a.startsWith(start), start);
  }
  const exact = prefix + value;
  if (!ignoreCase) return make('exact', value, (a) => a === exact, exact);
  const lower = exact.toLowerCase();
  return make('exact', value, (a) => a.length === lower.length && a.toLowerCase() === lower);
}

/**
 * Istio `HeaderMatcher` / `HostMatcher`: like {@link stringMatch} but `*` is
 * Envoy's `present_match` (any value, even empty).
 */
export function headerMatch(value: string, ignoreCase = false): StringMatch {
  if (value === '*') return make('present', value, () => true);
  return stringMatch(value, '', ignoreCase);
}

/** A full-match regular expression (Envoy `safe_regex`), for namespaces and service accounts. */
export function regexMatch(written: string, source: string): StringMatch {
  const re = new RegExp(`^(?:${source})$`, 's');
  return make('regex', written, (a) => re.test(a));
}

/** Escape text for use inside a RegExp source. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
