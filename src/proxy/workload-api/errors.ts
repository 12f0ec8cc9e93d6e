/** Errors of the Workload API server's own setup (RPC failures are gRPC statuses). */
import { MeshguardError } from '../../errors.js';

export type WorkloadApiErrorCode = 'MG_WORKLOAD_API_SOCKET';

export class WorkloadApiError extends MeshguardError {
  readonly reason: string;

  constructor(code: WorkloadApiErrorCode, message: string, reason: string) {
    super(code, message);
    this.reason = reason;
  }
}
