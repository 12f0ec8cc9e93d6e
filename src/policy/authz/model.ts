/**
 * The authorization engine's data: what a request looks like to it, and what a
 * decision says. Plain data, no behaviour.
 */
import type { WorkloadRef } from '../workload.js';
import type { HeaderMap } from '../http/headers.js';

/** One request (or TCP connection) as the inbound proxy sees it after authentication. */
export interface AuthzRequest {
  workload: WorkloadRef;
  protocol: 'http' | 'tcp';
  source: {
    /** Peer identity without scheme, `cluster.local/ns/default/sa/sleep`; absent = plaintext. */
    principal?: string;
    /** Downstream direct peer address (`source.ip`, `ipBlocks`). */
    ip?: string;
    /** Original client (`remote.ip`, `remoteIpBlocks`) per the XFF settings; defaults to `ip`. */
    remoteIp?: string;
  };
  destination: { port: number; ip?: string };
  /** TLS SNI the client asked for (`connection.sni`). */
  sni?: string;
  http?: {
    method: string;
    /** Host / :authority exactly as sent, port included. */
    host: string;
    /** Path as sent, query included. */
    path: string;
    headers: HeaderMap;
  };
  /** Verified JWT (RequestAuthentication), absent when there was none. */
  auth?: { principal: string; claims: Record<string, unknown>; audiences: string[]; presenter?: string };
}

export type AuthzVerdict = 'ALLOW' | 'DENY' | 'CUSTOM';

export interface DryRunResult {
  policy: string;
  rule: number | null;
  wouldHave: 'ALLOW' | 'DENY';
}

export interface AuditResult {
  policy: string;
  rule: number;
}

/** Why one check of a rule failed. */
export interface FieldMismatch {
  /** `from[0].source.principals`, `to[1].operation.paths`, `when[0]`. */
  field: string;
  /** The attribute compared, `source.principal`, `request.auth.claims[group]`. */
  attribute: string;
  /** `values` (or `notValues` when `negated`). */
  expected: string[];
  negated: boolean;
  /** What the request had, `(absent)` when nothing. */
  actual: string;
}

export interface RuleTrace {
  rule: number;
  name: string;
  matched: boolean;
  /** Set when the rule was removed for this protocol (ALLOW rule with HTTP-only fields on TCP, …). */
  dropped?: string;
  /** Fields ignored for this protocol (DENY rule on TCP), so the rule matched more widely. */
  ignored?: string[];
  /** The first failing field of each alternative (from × to × when) that was tried. */
  mismatches?: FieldMismatch[];
}

export interface TraceEntry {
  policy: string;
  action: 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';
  dryRun: boolean;
  applies: boolean;
  /** Why it applies (`mesh`, `namespace`, `workload`, `target`) or why not. */
  scope: string;
  rules: RuleTrace[];
  /** One sentence about this policy's part in the result. */
  note: string;
}

export interface AuthzDecision {
  decision: AuthzVerdict;
  /** 400 = path Envoy refuses before authorization; 'ext-authz' = ask the CUSTOM provider. */
  status: 200 | 400 | 403 | 'ext-authz';
  /** `ns/name` of the deciding policy. */
  policy: string | null;
  rule: number | null;
  ruleName: string | null;
  provider: string | null;
  reason: string;
  dryRun: DryRunResult[];
  audit: AuditResult[];
  trace?: TraceEntry[];
}

export interface AuthorizeOptions {
  /** Build the per-policy trace (slower; for `check`, debug logs and explain). */
  explain?: boolean;
  /**
   * The CUSTOM provider already allowed this request: skip CUSTOM policies and
   * continue with DENY and ALLOW, as Envoy does after ext_authz said yes.
   */
  customAllowed?: boolean;
}
