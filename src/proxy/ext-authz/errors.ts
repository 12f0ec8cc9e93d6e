/** Errors of the ext_authz client, each with a stable `code`. */
import { MeshguardError } from '../../errors.js';

export const EXT_AUTHZ_ERROR_CODES = {
  /** An `envoyExtAuthzHttp` provider whose settings cannot be used (no port, bad `statusOnError`, bad `timeout`). */
  INVALID_PROVIDER: 'MG_EXT_AUTHZ_INVALID_PROVIDER',
} as const;

export type ExtAuthzErrorCode = (typeof EXT_AUTHZ_ERROR_CODES)[keyof typeof EXT_AUTHZ_ERROR_CODES];

export class ExtAuthzError extends MeshguardError {
  constructor(code: ExtAuthzErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
