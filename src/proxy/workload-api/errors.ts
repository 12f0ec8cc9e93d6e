/** Errors of the Workload API server's own setup and of its message codec (RPC failures are gRPC statuses). */
import { MeshguardError } from '../../errors.js';

export type WorkloadApiErrorCode = 'MG_WORKLOAD_API_SOCKET' | 'MG_WORKLOAD_API_MESSAGE';

/** Why a message was refused: its bytes are not a well-formed message of the expected type. */
export type MessageRefusal = 'truncated' | 'bad-varint' | 'bad-field-number' | 'bad-wire-type' | 'bad-utf8' | 'too-deep';

export class WorkloadApiError extends MeshguardError {
  readonly reason: string;

  constructor(code: WorkloadApiErrorCode, message: string, reason: string) {
    super(code, message);
    this.reason = reason;
  }
}

/** A malformed protobuf message (from a client, or from a server to the SDK-side decoder). */
export function messageError(reason: MessageRefusal, message: string): WorkloadApiError {
  return new WorkloadApiError('MG_WORKLOAD_API_MESSAGE', message, reason);
}
