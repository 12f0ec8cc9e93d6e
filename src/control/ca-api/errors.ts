/**
 * What a CA API caller sees when the CA refuses: the server's stable code (from
 * the `mg-code` trailer) and message, plus the gRPC status it travelled with.
 * Transport failures (no server, deadline, TLS) get `MG_CA_UNAVAILABLE`.
 */
import { MeshguardError } from '../../errors.js';

export class CaApiError extends MeshguardError {
  /** The gRPC status code (`grpc.status`), e.g. 16 UNAUTHENTICATED. */
  readonly grpcCode: number;

  constructor(code: string, message: string, grpcCode: number, options?: { cause?: unknown }) {
    super(code, message, options);
    this.grpcCode = grpcCode;
  }
}
