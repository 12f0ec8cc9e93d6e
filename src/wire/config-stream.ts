/**
 * The configuration stream's messages, shared by both ends: newline-delimited
 * JSON, one message per line, both ways on one connection.
 *
 *   proxy ─ hello {namespace, name} ─▶ control plane
 *   proxy ◀─ snapshot {version, …} ── control plane   (on connect and on every relevant change)
 *   proxy ─ ack {version} | nack {version, error} ─▶
 *
 * It lives in `wire/`, below `control/` and `proxy/`, because each of them may
 * import only layers beneath it: one definition instead of one per side.
 */
import { z } from 'zod';
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

const name = z.string().min(1).max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 name');

/** What the proxy says it is. Until the stream runs over mTLS (dev mode) this is taken on trust. */
const helloMessage = z.strictObject({
  type: z.literal('hello'),
  namespace: name,
  name,
  /** Used only when the mesh has no Workload resource of this name. */
  labels: z.record(z.string().max(317), z.string().max(63)).optional(),
  serviceAccount: name.optional(),
});
const ackMessage = z.strictObject({ type: z.literal('ack'), version: z.string().min(1).max(128) });
const nackMessage = z.strictObject({ type: z.literal('nack'), version: z.string().min(1).max(128), error: z.string().max(4096) });

/** Every message a proxy may send; the control plane parses each line with it and ends the connection on anything else. */
export const proxyMessage = z.discriminatedUnion('type', [helloMessage, ackMessage, nackMessage]);

export type HelloMessage = z.infer<typeof helloMessage>;
export type ProxyMessage = z.infer<typeof proxyMessage>;

export type ControlMessage =
  | { type: 'snapshot'; snapshot: DistributedSnapshot }
  | { type: 'error'; code: string; message: string };

/** One message as a line. @example socket.write(encodeLine({ type: 'ack', version: 'a1b2' })) */
export function encodeLine(message: ProxyMessage | ControlMessage): string {
  return `${JSON.stringify(message)}\n`;
}
