// When a workload renews its SVID: pure arithmetic over the certificate's window.

/** Renew at half the lifetime (Istio's SECRET_GRACE_PERIOD_RATIO 0.5, SPIRE's default). */
export const RENEW_AT_FRACTION = 0.5;
/** ± this fraction of the lifetime spreads renewals so a fleet started together does not renew together. */
export const RENEW_JITTER_FRACTION = 0.1;

/**
 * The instant to renew a credential valid in `[notBefore, notAfter)`. `random` in `[0, 1)`
 * picks the jitter (pass `Math.random` in production, a constant in tests).
 * @example renewAt(svid.notBefore, svid.notAfter, Math.random) // ~12 h ± 2.4 h into a 24 h SVID
 */
export function renewAt(notBefore: Date, notAfter: Date, random: () => number): Date {
  const start = notBefore.getTime();
  const life = notAfter.getTime() - start;
  if (!(life > 0)) return new Date(start);
  const r = Math.min(Math.max(random(), 0), 1);
  const fraction = RENEW_AT_FRACTION + (r * 2 - 1) * RENEW_JITTER_FRACTION;
  return new Date(start + Math.floor(life * fraction));
}

/**
 * Whether to renew now, given the instant chosen by `renewAt`; an expired or
 * not-yet-valid credential (clock jump) always renews.
 */
export function shouldRenew(now: Date, window: { notBefore: Date; notAfter: Date }, at: Date): boolean {
  const t = now.getTime();
  if (t >= window.notAfter.getTime() || t < window.notBefore.getTime()) return true;
  return t >= at.getTime();
}
