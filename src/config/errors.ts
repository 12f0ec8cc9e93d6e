/**
 * Errors for configuration input: every one names the file, line, column and
 * field path, says what is wrong and, where we can tell, what would be right.
 */
import { MeshguardError } from '../errors.js';

/** Stable codes of configuration errors (tests, docs and `--output json` use them). */
export const CONFIG_ERROR_CODES = {
  /** The text is not YAML (or JSON): tabs in indentation, unclosed quotes, alias bombs. */
  yamlSyntax: 'MG_CONFIG_YAML_SYNTAX',
  /** A field the kind's schema does not have (the hint names the closest known one). */
  unknownField: 'MG_CONFIG_UNKNOWN_FIELD',
  /** A required field is absent. */
  missingField: 'MG_CONFIG_MISSING_FIELD',
  /** A value of the wrong type or outside its allowed set. */
  invalidValue: 'MG_CONFIG_INVALID_VALUE',
  /** A document that is not a Kubernetes-style object (no apiVersion/kind, a bare list, a scalar). */
  notAResource: 'MG_CONFIG_NOT_A_RESOURCE',
  /** Two documents name the same group/kind/namespace/name. */
  duplicate: 'MG_CONFIG_DUPLICATE',
  /** One of Istio's validation rules (the `rule` field says which). */
  rule: 'MG_CONFIG_RULE',
  /** A `-f` path that cannot be read. */
  read: 'MG_CONFIG_READ',
} as const;

export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[keyof typeof CONFIG_ERROR_CODES];

export interface ConfigErrorInit {
  file: string;
  line: number;
  column: number;
  /** Field path such as `spec.rules[0].to[0].operation.methods`; empty for the whole document. */
  field: string;
  /** What would be right ("did you mean `methods`?"). */
  hint?: string;
  /** For `MG_CONFIG_RULE`: the stable name of the rule (`authz-custom-needs-provider`). */
  rule?: string;
}

export class ConfigError extends MeshguardError {
  declare readonly code: ConfigErrorCode;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly field: string;
  readonly hint: string | undefined;
  readonly rule: string | undefined;

  constructor(code: ConfigErrorCode, message: string, init: ConfigErrorInit) {
    super(code, message);
    this.file = init.file;
    this.line = init.line;
    this.column = init.column;
    this.field = init.field;
    this.hint = init.hint;
    this.rule = init.rule;
  }
}

/**
 * One line for people: `file:line:column: field: message (hint)`.
 *
 * @example
 * formatConfigError(err) // 'policy.yaml:12:9: spec.rules[0].to[0].operation.methodz: unknown field (did you mean `methods`?)'
 */
export function formatConfigError(e: ConfigError): string {
  const where = `${e.file}:${e.line}:${e.column}`;
  const field = e.field ? ` ${e.field}:` : '';
  const hint = e.hint ? ` (${e.hint})` : '';
  return `${where}:${field} ${e.message}${hint}`;
}
