/**
 * Errors of the local mesh (`meshguard up | down | exec`). Each has a stable
 * code; the message says what to do next.
 */
import { MeshguardError } from '../../errors.js';

export const LOCAL_ERROR_CODES = {
  /** Another `up` is running on this data directory. */
  alreadyRunning: 'MG_UP_ALREADY_RUNNING',
  /** `down` / `exec` found no running mesh. */
  notRunning: 'MG_UP_NOT_RUNNING',
  /** A Workload's `address` is not a loopback address, or two workloads share one. */
  badAddress: 'MG_UP_BAD_ADDRESS',
  /** More workloads than the address plan has room for. */
  tooManyWorkloads: 'MG_UP_TOO_MANY_WORKLOADS',
  /** An address:port a workload needs is still taken after the wait. */
  addressInUse: 'MG_UP_ADDRESS_IN_USE',
  /** A sidecar or app did not become ready in time. */
  notReady: 'MG_UP_NOT_READY',
  /** A child exited while the mesh was starting. */
  childExited: 'MG_UP_CHILD_EXITED',
  /** The `-f` resources hold errors: nothing was started. */
  badConfig: 'MG_UP_BAD_CONFIG',
  /** `down` signalled `up`, which did not stop in time. */
  stopTimeout: 'MG_DOWN_TIMEOUT',
  /** `exec NS/NAME` names no workload of the running mesh. */
  unknownWorkload: 'MG_EXEC_UNKNOWN_WORKLOAD',
  /** `exec` could not start the command. */
  commandFailed: 'MG_EXEC_COMMAND_FAILED',
} as const;

export type LocalErrorCode = (typeof LOCAL_ERROR_CODES)[keyof typeof LOCAL_ERROR_CODES];

export class LocalMeshError extends MeshguardError {
  constructor(code: LocalErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
