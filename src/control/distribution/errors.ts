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
