/**
 * The address plan of a local mesh (pure). Every workload gets its own loopback
 * address, so `source.ip`, `ipBlocks` and access logs tell workloads apart:
 *
 * - the workload address `127.77.<i>.1`: its sidecar's inbound, outbound and admin
 *   listeners (or, without a sidecar, the app itself and its legacy forwarder);
 *   connections the workload opens leave from it;
 * - the app address `127.78.<i>.1`: where a meshed app listens, reachable only
 *   through its sidecar in spirit (as a pod's localhost is).
 *
 * `i` is the workload's rank in `namespace/name` order, from 1, so a manifest
 * gives the same addresses on every run. Only 127.0.0.0/8 is used: these
 * machines may use no other address.
 */
import { isIPv4 } from 'node:net';
import type { Workload } from '../../config/kinds.js';
import { LocalMeshError, LOCAL_ERROR_CODES } from './errors.js';

/** Second octet of workload addresses. */
export const WORKLOAD_OCTET = 77;
/** Second octet of app addresses (meshed workloads). */
export const APP_OCTET = 78;
/** One third octet per workload, 1..254. */
export const MAX_WORKLOADS = 254;

export interface WorkloadAddresses {
  /** `istioinaction/webapp` */
  ref: string;
  /** Sidecar (or legacy app and forwarder) address, e.g. `127.77.2.1`. */
  address: string;
  /** Where the app listens: `127.78.2.1` with a sidecar, the workload address without. */
  appAddress: string;
}

/** Whether `ip` is an IPv4 address in 127.0.0.0/8. @example isLoopbackV4('127.77.1.1') // true */
export function isLoopbackV4(ip: string): boolean {
  return isIPv4(ip) && ip.startsWith('127.');
}

/**
 * Plans addresses for the workloads: a Workload's own `spec.address` wins (it
 * must be loopback and unique), the others get `127.77.<rank>.1`.
 *
 * @example
 * planAddresses([webapp, catalog]).get('istioinaction/webapp')
 * // { ref: 'istioinaction/webapp', address: '127.77.2.1', appAddress: '127.78.2.1' }
 */
export function planAddresses(workloads: readonly Workload[]): Map<string, WorkloadAddresses> {
  if (workloads.length > MAX_WORKLOADS) {
    throw new LocalMeshError(LOCAL_ERROR_CODES.tooManyWorkloads, `a local mesh holds at most ${MAX_WORKLOADS} workloads, got ${workloads.length}`);
  }
  const sorted = [...workloads].sort((a, b) => compareRefs(refOf(a), refOf(b)));
  const plan = new Map<string, WorkloadAddresses>();
  const taken = new Map<string, string>();
  sorted.forEach((w, index) => {
    const ref = refOf(w);
    const rank = index + 1;
    const own = w.spec.address;
    if (own !== undefined && !isLoopbackV4(own)) {
      throw new LocalMeshError(LOCAL_ERROR_CODES.badAddress, `Workload ${ref}: address ${own} is not in 127.0.0.0/8; a local mesh uses loopback addresses only`);
    }
    const address = own ?? `127.${WORKLOAD_OCTET}.${rank}.1`;
    const sidecar = w.spec.sidecar !== false;
    const appAddress = sidecar ? `127.${APP_OCTET}.${rank}.1` : address;
    for (const a of sidecar ? [address, appAddress] : [address]) {
      const other = taken.get(a);
      if (other) throw new LocalMeshError(LOCAL_ERROR_CODES.badAddress, `Workloads ${other} and ${ref} would both use ${a}; give them distinct addresses`);
      taken.set(a, ref);
    }
    plan.set(ref, { ref, address, appAddress });
  });
  return plan;
}

/** `namespace/name` of a workload. */
export function refOf(w: { metadata: { namespace: string; name: string } }): string {
  return `${w.metadata.namespace}/${w.metadata.name}`;
}

function compareRefs(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
