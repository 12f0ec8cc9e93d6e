/**
 * The per-proxy connection limit: every listener takes a slot per accepted
 * connection; over the limit, the connection is refused (with a log line)
 * instead of letting memory grow without bound.
 */

/** Envoy's default per-listener limit is unbounded; ours is finite so a flood cannot exhaust memory. */
export const DEFAULT_MAX_CONNECTIONS = 20_000;

export interface ConnectionGate {
  /** Take a slot; false when the limit is reached. */
  tryAcquire(): boolean;
  release(): void;
  readonly active: number;
  readonly limit: number;
}

/**
 * @example
 * const gate = createConnectionGate(10_000);
 * if (!gate.tryAcquire()) socket.destroy();
 */
export function createConnectionGate(limit: number = DEFAULT_MAX_CONNECTIONS): ConnectionGate {
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError('connection limit must be a positive integer');
  let active = 0;
  return {
    tryAcquire() {
      if (active >= limit) return false;
      active++;
      return true;
    },
    release() {
      if (active > 0) active--;
    },
    get active() {
      return active;
    },
    limit,
  };
}
