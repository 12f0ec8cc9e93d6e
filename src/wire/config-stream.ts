/**
 * The configuration stream's messages, shared by both ends: newline-delimited
 * JSON, one message per line, both ways on one connection.
 *
 *   proxy ─ hello {namespace, name} ─▶ control plane   (over mTLS: checked against the proxy's SVID)
 *   proxy ◀─ snapshot {version, …} ── control plane   (on connect and on every relevant change)
 *   proxy ─ ack {version} | nack {version, error} ─▶
 *
 * It lives in `wire/`, below `control/` and `proxy/`, because each of them may
 * import only layers beneath it: one definition instead of one per side.
 */
import type { ProxyMessage } from './proxy-message.js';
import type { AuthorizationPolicy, MeshConfig, PeerAuthentication, RequestAuthentication, Service, WorkloadPort } from '../config/kinds.js';

/** A snapshot of a big mesh is a few MB at most; a longer line is a broken or hostile peer. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** A workload as the snapshot carries it (the proxy's `Endpoint`). */
export interface SnapshotEndpoint {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** Loopback address it (its sidecar, when it has one) listens on, e.g. `127.10.0.2`. */
  address: string;
  ports: WorkloadPort[];
  /** Has a sidecar: reached with mTLS (auto mTLS); otherwise plaintext. */
  sidecar: boolean;
  /** Expected server identity for secure naming; null without a sidecar. */
  spiffeId: string | null;
}

/** What one proxy receives: only what applies to its workload, versioned (the proxy's `ProxySnapshot`). */
export interface DistributedSnapshot {
  /** Opaque version (a hash of the content); the proxy ACKs or NACKs it by this value. */
  version: string;
  mesh: MeshConfig;
  workload: SnapshotEndpoint & { serviceAccount: string };
  peerAuthentications: PeerAuthentication[];
  requestAuthentications: RequestAuthentication[];
  authorizationPolicies: AuthorizationPolicy[];
  services: Service[];
  endpoints: SnapshotEndpoint[];
}

export type { AckMessage, HelloMessage, NackMessage, ProxyMessage } from './proxy-message.js';
export type ControlMessage =
  | { type: 'snapshot'; snapshot: DistributedSnapshot }
  | { type: 'error'; code: string; message: string };

/** One message as a line. @example socket.write(encodeLine({ type: 'ack', version: 'a1b2' })) */
export function encodeLine(message: ProxyMessage | ControlMessage): string {
  return `${JSON.stringify(message)}\n`;
}
