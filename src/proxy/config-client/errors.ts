/** Errors of the proxy's configuration-stream client, each with a stable `code`. */
import { MeshguardError } from '../../errors.js';

export const CONFIG_CLIENT_ERROR_CODES = {
  /**
   * The server at the stream's address presented a valid certificate, but not the
   * control plane's SPIFFE ID: the proxy sends it nothing (not even its hello).
   */
  SERVER_IDENTITY: 'MG_STREAM_SERVER_IDENTITY',
  /** The stream could not be reached: refused, reset, TLS failed or timed out. */
  CONNECT: 'MG_STREAM_CONNECT',
} as const;

export type ConfigClientErrorCode = (typeof CONFIG_CLIENT_ERROR_CODES)[keyof typeof CONFIG_CLIENT_ERROR_CODES];

export class ConfigClientError extends MeshguardError {
  constructor(code: ConfigClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
