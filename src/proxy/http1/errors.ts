/** Errors of the HTTP/1.1 fast path, each with a stable `code`. */
import { MeshguardError } from '../../errors.js';

export const HTTP1_ERROR_CODES = {
  /** A peer's response (or chunked body) broke HTTP/1.1 framing: the exchange fails as an upstream error. */
  UPSTREAM_PROTOCOL: 'MG_HTTP1_UPSTREAM_PROTOCOL',
  /** A header value our own layers produced cannot go on the wire (CR, LF, NUL, other control bytes). */
  INVALID_HEADER_VALUE: 'MG_HTTP1_INVALID_HEADER_VALUE',
  /** The peer closed or reset the connection before the exchange ended. */
  CONNECTION_LOST: 'MG_HTTP1_CONNECTION_LOST',
} as const;

export type Http1ErrorCode = (typeof HTTP1_ERROR_CODES)[keyof typeof HTTP1_ERROR_CODES];

export class Http1Error extends MeshguardError {
  /** True when no byte of a response had arrived: the caller may still answer 503 (or retry an idempotent request). */
  readonly beforeResponse: boolean;

  constructor(code: Http1ErrorCode, message: string, options?: { cause?: unknown; beforeResponse?: boolean }) {
    super(code, message, options);
    this.beforeResponse = options?.beforeResponse ?? false;
  }
}
