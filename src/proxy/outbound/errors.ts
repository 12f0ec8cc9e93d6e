/** Errors of the outbound proxy, each with a stable `code`. */
import { MeshguardError } from '../../errors.js';

export const OUTBOUND_ERROR_CODES = {
  /**
   * The destination sidecar presented a valid SVID, but not one of the identities
   * allowed for the Service (secure naming): the connection is dropped before any
   * request byte is sent.
   */
  SECURE_NAMING: 'MG_OUTBOUND_SECURE_NAMING',
  /** The destination could not be reached (refused, reset, timed out, TLS failed). */
  UPSTREAM_CONNECT: 'MG_OUTBOUND_UPSTREAM_CONNECT',
  /** The listen address is not loopback: the app's proxy must never be reachable from outside. */
  LISTEN_NOT_LOOPBACK: 'MG_OUTBOUND_LISTEN_NOT_LOOPBACK',
} as const;

export type OutboundErrorCode = (typeof OUTBOUND_ERROR_CODES)[keyof typeof OUTBOUND_ERROR_CODES];

export class OutboundError extends MeshguardError {
  constructor(code: OutboundErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
