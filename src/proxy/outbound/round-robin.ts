/**
 * Round-robin over a Service's endpoints, one cursor per Service port, kept
 * across snapshots (a new snapshot with the same endpoints keeps spreading load).
 */
import type { ResolvedEndpoint } from './resolve.js';

export interface RoundRobin {
  /** The next endpoint for `key` (`catalog.istioinaction.svc.cluster.local:80`); undefined when there are none. */
  pick(key: string, endpoints: readonly ResolvedEndpoint[]): ResolvedEndpoint | undefined;
}

/**
 * @example
 * const rr = createRoundRobin();
 * rr.pick('catalog.istioinaction.svc.cluster.local:80', resolution.endpoints);
 */
export function createRoundRobin(): RoundRobin {
  const cursors = new Map<string, number>();
  return {
    pick(key, endpoints) {
      if (endpoints.length === 0) return undefined;
      const n = cursors.get(key) ?? 0;
      // Wrap well before 2^53 so the counter never loses precision.
      cursors.set(key, (n + 1) % 1_000_000_007);
      return endpoints[n % endpoints.length];
    },
  };
}
