/** `meshguard check -o json`: one document, the shape documented in the README. */
import type { RequestOutcome } from '../../../policy/decide.js';

export function toJson(out: RequestOutcome): unknown {
  const a = out.authn;
  return {
    mtls: { mode: out.mtls.mode, policy: out.mtls.policy, portLevel: out.mtls.portLevel, reason: out.mtls.reason },
    connection: out.connection,
    authn: {
      result: a.result === 'not-evaluated' ? 'absent' : a.result,
      principal: a.result === 'valid' ? a.principal : null,
      // Envoy's body text (`Jwt is expired`); the status and header a client gets sit beside it.
      error: a.result === 'invalid' ? a.body : null,
      ...(a.result === 'invalid' ? { code: a.code, status: a.status, wwwAuthenticate: a.wwwAuthenticate } : {}),
      reason: a.reason,
    },
    authz: out.authz
      ? {
          decision: out.authz.decision,
          policy: out.authz.policy,
          rule: out.authz.rule,
          ruleName: out.authz.ruleName,
          provider: out.authz.provider,
          reason: out.authz.reason,
          dryRun: out.authz.dryRun,
          audit: out.authz.audit,
          trace: out.authz.trace ?? [],
        }
      : null,
    response: out.response,
    ...(out.pathError ? { pathError: out.pathError } : {}),
  };
}
