/**
 * Errors of configuration distribution. They extend `ControlError` so the
 * admin API answers them with their code and the CLI shows the same code.
 */
import { ControlError } from '../errors.js';

export const DISTRIBUTION_ERROR_CODES = {
  /** `apply`/`delete` input that does not validate; nothing was changed. */
  invalid: 'MG_CONFIG_REJECTED',
  /** A MeshConfig whose trust domain is not the control plane's. */
  trustDomain: 'MG_CONFIG_TRUST_DOMAIN_MISMATCH',
} as const;

export class ConfigRejectedError extends ControlError {
  /** One line per problem, `where: field: message`, as the CLI prints config errors. */
  readonly problems: readonly string[];
  constructor(problems: readonly string[], code: string = DISTRIBUTION_ERROR_CODES.invalid) {
    super(code, `configuration refused, nothing applied:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Sent to a proxy in the stream's `error` message just before the control plane closes the connection. */
export const STREAM_ERROR_CODES = {
  /** No `hello` in time. */
  noHello: 'MG_STREAM_NO_HELLO',
  /** A line that is not JSON or not a stream message, or messages out of order. */
  badMessage: 'MG_STREAM_BAD_MESSAGE',
  lineTooLong: 'MG_STREAM_LINE_TOO_LONG',
  /** The client certificate's SPIFFE ID is not the workload the `hello` names. */
  identityMismatch: 'MG_STREAM_IDENTITY_MISMATCH',
} as const;
