/**
 * The configuration stream as the control plane speaks it: newline-delimited
 * JSON, one message per line, both ways on one connection.
 *
 *   proxy ─ hello {namespace, name} ─▶ control plane
 *   proxy ◀─ snapshot {version, …} ── control plane   (on connect and on every relevant change)
 *   proxy ─ ack {version} | nack {version, error} ─▶
 *
 * `control/` may not import `proxy/` (layers), so the proxy's side lives in
 * `proxy/config-client/protocol.ts`; the snapshot type here is structurally the
 * proxy's `ProxySnapshot`, and a type test keeps the two equal.
 */
import { z } from 'zod';
import type { AuthorizationPolicy, MeshConfig, PeerAuthentication, RequestAuthentication, Service, WorkloadPort } from '../../config/kinds.js';

/** A snapshot of a big mesh is a few MB at most; a longer line is a broken or hostile peer. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Same shape as `proxy/model.ts` `Endpoint`. */
export interface SnapshotEndpoint {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  address: string;
  ports: WorkloadPort[];
  sidecar: boolean;
  spiffeId: string | null;
}

/** Same shape as `proxy/model.ts` `ProxySnapshot`. */
export interface DistributedSnapshot {
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

/** Every message a proxy may send; anything else ends the connection. */
export const proxyMessage = z.discriminatedUnion('type', [helloMessage, ackMessage, nackMessage]);

export type ProxyMessage = z.infer<typeof proxyMessage>;

export type ControlMessage =
  | { type: 'snapshot'; snapshot: DistributedSnapshot }
  | { type: 'error'; code: string; message: string };

/** One message as a line. @example socket.write(encodeLine({ type: 'error', code, message })) */
export function encodeLine(message: ControlMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Splits a byte stream into lines, refusing any longer than `maxBytes` (the
 * callback is told, and the caller drops the connection).
 *
 * @example
 *   socket.on('data', lineSplitter((line) => handle(JSON.parse(line)), () => socket.destroy()));
 */
export function lineSplitter(onLine: (line: string) => void, onOverflow: () => void, maxBytes = MAX_LINE_BYTES): (chunk: Buffer) => void {
  let pending: Buffer[] = [];
  let size = 0;
  let overflowed = false;
  const overflow = () => {
    overflowed = true;
    pending = [];
    onOverflow();
  };
  return (chunk) => {
    if (overflowed) return;
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const part = chunk.subarray(start, nl);
      if (size + part.length > maxBytes) return overflow();
      const line = pending.length === 0 ? part : Buffer.concat([...pending, part]);
      pending = [];
      size = 0;
      start = nl + 1;
      if (line.length > 0) onLine(line.toString('utf8'));
    }
    const rest = chunk.subarray(start);
    if (size + rest.length > maxBytes) return overflow();
    if (rest.length > 0) { pending.push(rest); size += rest.length; }
  };
}

/** `127.0.0.1:15010` or `[::1]:15010` → host and port; throws `TypeError` for a non-loopback host (dev mode is plaintext). */
export function loopbackListenAddress(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(address);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!host || !Number.isInteger(port) || port > 65535) throw new TypeError(`"${address}" is not host:port`);
  if (!(host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host))) {
    throw new TypeError(`the dev configuration stream is plaintext and only listens/dials on loopback, not ${host}`);
  }
  return { host, port };
}
