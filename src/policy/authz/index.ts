/** Public surface of the authorization engine. */
export { compileAuthorization, DRY_RUN_ANNOTATION } from './compile.js';
export type { CompiledAuthz, CompiledPolicy, CompiledRule } from './compile.js';
export { authorize } from './evaluate.js';
export { AUTHZ_ERROR_CODES, AuthzPolicyError } from './errors.js';
export type { AuthzErrorCode, AuthzIssueEffect } from './errors.js';
export type {
  AuditResult,
  AuthorizeOptions,
  AuthzDecision,
  AuthzRequest,
  AuthzVerdict,
  DryRunResult,
  FieldMismatch,
  RuleTrace,
  TraceEntry,
} from './model.js';
export { RBAC_DENIED_BODY, rbacAccessLogFlag, ruleName } from './rule-name.js';
