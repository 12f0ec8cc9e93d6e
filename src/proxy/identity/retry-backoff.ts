// How long to wait before asking the CA again: pure arithmetic, so tests pin it.

/** First retry after a second: a CA restart or a blip is usually over by then. */
export const DEFAULT_BACKOFF_INITIAL_MS = 1000;
/** Never wait more than a minute between tries: a 24 h SVID renewed at 12 h has hours of margin, but a short one does not. */
export const DEFAULT_BACKOFF_MAX_MS = 60_000;

export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
}

/**
 * The delay before retry number `attempt` (0 for the first retry): doubling from
 * `initialMs`, capped at `maxMs`, with ±20 % jitter so proxies refused together do not
 * come back together; never later than `deadlineInMs` (the current SVID's remaining
 * life), so the last try happens while it still works.
 * @example retryDelay(3, { initialMs: 1000, maxMs: 60_000 }, Math.random) // ~8 s
 */
export function retryDelay(attempt: number, settings: BackoffSettings, random: () => number, deadlineInMs = Infinity): number {
  const base = Math.min(settings.maxMs, settings.initialMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const r = Math.min(Math.max(random(), 0), 1);
  const jittered = Math.round(base * (0.8 + 0.4 * r));
  const beforeDeadline = deadlineInMs > settings.initialMs ? Math.min(jittered, Math.floor(deadlineInMs / 2)) : jittered;
  return Math.max(1, Math.min(beforeDeadline, settings.maxMs));
}
