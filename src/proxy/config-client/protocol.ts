/**
 * The configuration stream's wire protocol, the proxy's side: newline-delimited
 * JSON, one message per line, both ways on one connection. The control plane's
 * side is `control/distribution/wire.ts` (layers keep the two apart; a type
 * test in `test/proxy/config-client/` keeps them in step).
 *
 *   proxy ─ hello {namespace, name} ─▶ control plane
 *   proxy ◀─ snapshot {version, …} ── control plane   (on connect and on every relevant change)
 *   proxy ─ ack {version} | nack {version, error} ─▶
 */
import { StringDecoder } from 'node:string_decoder';
import type { ProxySnapshot } from '../model.js';

/** A snapshot of a big mesh is a few MB at most; refuse a longer line rather than buffer without bound. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface HelloMessage {
  type: 'hello';
  /** DNS-1123 names; the control plane refuses anything else. */
  namespace: string;
  name: string;
  /** Used by the control plane only when the mesh has no Workload resource of this name. */
  labels?: Record<string, string>;
  serviceAccount?: string;
}

export type ProxyMessage =
  | HelloMessage
  | { type: 'ack'; version: string }
  | { type: 'nack'; version: string; error: string };

export type ControlMessage =
  | { type: 'snapshot'; snapshot: ProxySnapshot }
  | { type: 'error'; code: string; message: string };

/** One message as a line. @example socket.write(encodeLine({ type: 'ack', version: 'a1b2' })) */
export function encodeLine(message: ProxyMessage): string {
  return `${JSON.stringify(message)}\n`;
}

/**
 * Calls `onLine` per complete line; past `maxBytes` without a newline it calls
 * `onOverflow` once and ignores the rest (the caller drops the connection).
 *
 * @example socket.on('data', readLines((line) => handle(line), () => socket.destroy()));
 */
export function readLines(onLine: (line: string) => void, onOverflow: () => void, maxBytes = MAX_LINE_BYTES): (chunk: Buffer) => void {
  let buffered = '';
  let dead = false;
  const utf8 = new StringDecoder('utf8'); // a character split across chunks is held, not mangled
  return (chunk) => {
    if (dead) return;
    buffered += utf8.write(chunk);
    let nl: number;
    while ((nl = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.length > 0) onLine(line);
    }
    if (buffered.length > maxBytes) {
      dead = true;
      buffered = '';
      onOverflow();
    }
  };
}
