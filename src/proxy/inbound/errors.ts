/** Errors of the inbound proxy, each with a stable `code`. */
import { MeshguardError } from '../../errors.js';

export const INBOUND_ERROR_CODES = {
  /** A snapshot could not be compiled; the proxy keeps the previous one. */
  SNAPSHOT_REJECTED: 'MG_PROXY_SNAPSHOT_REJECTED',
  /** A port was configured twice or with an unusable value. */
  PORT_INVALID: 'MG_PROXY_PORT_INVALID',
} as const;

export type InboundErrorCode = (typeof INBOUND_ERROR_CODES)[keyof typeof INBOUND_ERROR_CODES];

export class InboundError extends MeshguardError {
  constructor(code: InboundErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
