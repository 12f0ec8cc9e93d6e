/**
 * "Did you mean …?" for unknown field names and enum values: the known name at
 * the smallest edit distance, when it is close enough to be a typo.
 */

/** Levenshtein distance, case-insensitive; bounded inputs (field names) keep it cheap. */
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, i) => i);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[t.length] ?? 0;
}

/**
 * The closest of `known` to `name`, or undefined when none is a plausible typo
 * (distance above a third of the name's length, at least 2).
 *
 * @example
 * closestName('methodz', ['methods', 'paths']) // 'methods'
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  if (name.length > 200) return undefined; // garbage keys: no suggestion, no quadratic cost
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}
