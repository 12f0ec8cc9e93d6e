/**
 * Waiting for a child to be ready, bounded in time, and failing early (with its
 * last output lines) when it exits instead.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { LocalMeshError, LOCAL_ERROR_CODES } from './errors.js';
import type { SupervisedProcess } from './supervised-process.js';

/** A sidecar must hold an SVID and a snapshot within this (key generation and attestation included). */
export const SIDECAR_READY_TIMEOUT_MS = 20_000;
/** An app must listen within this once started. */
export const APP_READY_TIMEOUT_MS = 15_000;
const POLL_MS = 100;

/** A probe: true once ready. */
export type Probe = () => Promise<boolean>;

/** `GET url` answers 200 (the sidecar's `/healthz/ready`). */
export function httpReady(url: string): Probe {
  return () => new Promise((resolve) => {
    const req = request(url, { timeout: 1000, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** Something accepts TCP connections on `host:port` (the app). */
export function listening(host: string, port: number): Probe {
  return () => new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Polls `probe` until it succeeds; throws `MG_UP_CHILD_EXITED` if `child` exits
 * first, `MG_UP_NOT_READY` after `timeoutMs`.
 *
 * @example await waitReady(sidecar, httpReady('http://127.77.1.1:15021/healthz/ready'), 20_000, 'ready');
 */
export async function waitReady(child: SupervisedProcess, probe: Probe, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    if (child.hasExited()) {
      const code = await child.exited;
      throw new LocalMeshError(LOCAL_ERROR_CODES.childExited, `${child.label} exited (code ${code}) before it was ${what}${lastLines(child)}`);
    }
    if (await probe()) return;
    if (Date.now() >= deadline) {
      throw new LocalMeshError(LOCAL_ERROR_CODES.notReady, `${child.label} was not ${what} within ${timeoutMs / 1000} s${lastLines(child)}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function lastLines(child: SupervisedProcess): string {
  const tail = child.tail().slice(-8);
  return tail.length === 0 ? '' : `; its last output:\n  ${tail.join('\n  ')}`;
}
