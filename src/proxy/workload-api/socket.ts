/**
 * The Workload API's Unix socket. Node cannot read a caller's credentials on a Unix
 * socket (no SO_PEERCRED), so instead of SPIRE's unix workload attestor each workload
 * gets its own socket, in a directory only its owner may enter (0700): reaching the
 * socket is the proof of being that workload.
 */
import { chmodSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { WorkloadApiError } from './errors.js';

/** Only the owner may enter: the directory, not the socket mode, is what keeps others out. */
export const SOCKET_DIR_MODE = 0o700;
export const SOCKET_MODE = 0o600;
// sun_path is 108 bytes on Linux (104 on macOS): a longer path fails at bind with a vague error.
const MAX_SOCKET_PATH = 100;

/**
 * Creates the 0700 directory and removes a stale socket left by a previous run (only a
 * socket: any other file there is refused, not deleted).
 * @example prepareSocketPath('/run/meshguard/default.web/agent.sock')
 */
export function prepareSocketPath(socketPath: string): void {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    throw new WorkloadApiError('MG_WORKLOAD_API_SOCKET', `socket path ${socketPath} is longer than ${MAX_SOCKET_PATH} bytes`, 'path-too-long');
  }
  const dir = dirname(socketPath);
  mkdirSync(dir, { recursive: true, mode: SOCKET_DIR_MODE });
  // mkdir leaves an existing directory's mode alone, and umask may have narrowed ours: set it.
  chmodSync(dir, SOCKET_DIR_MODE);
  let existing;
  try {
    existing = lstatSync(socketPath);
  } catch {
    return;
  }
  if (!existing.isSocket()) {
    throw new WorkloadApiError('MG_WORKLOAD_API_SOCKET', `${socketPath} exists and is not a socket; not replacing it`, 'not-a-socket');
  }
  rmSync(socketPath);
}

/** Narrows the bound socket to its owner (the directory already keeps others out). */
export function secureSocket(socketPath: string): void {
  chmodSync(socketPath, SOCKET_MODE);
}
