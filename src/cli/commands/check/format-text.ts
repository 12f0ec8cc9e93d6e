/**
 * `meshguard check`'s default output: the request's journey in words, stage by
 * stage, the response, a hint when the cause is a classic mistake, then every
 * policy that was considered and why it did or did not match.
 */
import type { RequestFacts, RequestOutcome } from '../../../policy/decide.js';
import type { FieldMismatch, TraceEntry } from '../../../policy/authz/index.js';

const RESPONSE_TEXT: Record<string, string> = {
  '200': '200 — the request reaches the app',
  '400': '400 Bad Request — Envoy refuses the path before authorization',
  '403': '403 RBAC: access denied',
  'connection-closed': 'connection closed — plaintext to a STRICT port (curl: exit 56; access log: NR filter_chain_not_found)',
  'ext-authz': 'sent to the CUSTOM provider, which decides',
};

/** Where the trace says a value was missing because the caller was plaintext (authz's wording). */
const PLAINTEXT_MARK = 'plaintext';

/**
 * The explanation `meshguard check` prints by default.
 *
 * @example
 * process.stdout.write(formatText(facts, await decideRequest(cfg, facts, keys, new Date(), { explain: true })));
 * // Request   GET webapp.istioinaction/api/catalog
 * //           to istioinaction {app=webapp} port 8080, from a plaintext client (no peer identity)
 * // …
 * // Response  403 RBAC: access denied
 */
export function formatText(facts: RequestFacts, out: RequestOutcome): string {
  const lines: string[] = [...requestLines(facts), ''];
  lines.push(`mTLS      ${out.mtls.mode} — ${out.mtls.reason}`);
  lines.push(`          connection ${out.connection}${out.identityNote ? `; ${out.identityNote}` : ''}`);
  lines.push(`Authn     ${authnLine(out)}`);
  if (out.pathError) lines.push(`Path      refused: ${out.pathError}`);
  if (out.authz) {
    const rule = out.authz.ruleName ? ` (${out.authz.ruleName})` : '';
    lines.push(`Authz     ${out.authz.decision}${rule} — ${out.authz.reason}`);
    for (const d of out.authz.dryRun) lines.push(`          dry-run: ${d.policy} would have ${d.wouldHave === 'DENY' ? 'denied' : 'allowed'} (no effect)`);
    for (const a of out.authz.audit) lines.push(`          audit: ${a.policy} rule ${a.rule} matched (logged only)`);
  } else {
    lines.push('Authz     not evaluated');
  }
  const status = out.response === 401 && out.authn.result === 'invalid'
    ? `401 ${out.authn.body}` : RESPONSE_TEXT[String(out.response)] ?? String(out.response);
  lines.push(`Response  ${status}`);
  for (const h of hints(facts, out)) lines.push(`Hint      ${h}`);
  const trace = out.authz?.trace ?? [];
  if (trace.length > 0) {
    lines.push('', 'Authorization policies:');
    for (const t of trace) lines.push(...traceLines(t));
  }
  return `${lines.join('\n')}\n`;
}

function requestLines(facts: RequestFacts): string[] {
  const who = facts.source.principal ? `${facts.source.principal} (mTLS)` : 'a plaintext client (no peer identity)';
  const labels = Object.entries(facts.workload.labels).map(([k, v]) => `${k}=${v}`).join(',');
  const what = facts.http ? `${facts.http.method} ${facts.http.host}${facts.http.path}` : 'TCP connection';
  const token = facts.claims ? ', with validated claims' : facts.token !== undefined ? ', with a bearer token' : '';
  return [
    `Request   ${what}`,
    `          to ${facts.workload.namespace} {${labels}} port ${facts.port}, from ${who}${facts.source.ip ? ` at ${facts.source.ip}` : ''}${token}`,
  ];
}

function authnLine(out: RequestOutcome): string {
  const a = out.authn;
  switch (a.result) {
    case 'valid': return `valid token — request principal ${a.principal}`;
    case 'invalid': {
      // The reason usually repeats Envoy's body; say it once, with where the token was.
      const why = a.reason.includes(a.body) ? '' : ` (${a.reason})`;
      return `invalid token in ${a.location} — ${a.status} ${a.body}${why}`;
    }
    case 'absent': return `no token — no request principal, not rejected (${a.reason})`;
    default: return `not evaluated — ${a.reason}`;
  }
}

/** One sentence per classic cause of the outcome, with what to do. */
function hints(facts: RequestFacts, out: RequestOutcome): string[] {
  const out403 = out.response === 403;
  const mismatches = (out.authz?.trace ?? []).flatMap((t) => t.rules.flatMap((r) => r.mismatches ?? []));
  const hints: string[] = [];
  if (out.response === 'connection-closed') {
    hints.push('the client sent plaintext (no sidecar): give it a sidecar, or make this port PERMISSIVE while migrating');
  }
  if (out403 && mismatches.some((m) => !m.negated && m.actual.includes(PLAINTEXT_MARK))) {
    hints.push('rules naming principals or namespaces never match a plaintext caller; make the port STRICT, or allow it by other fields');
  }
  if (out403 && out.authn.result === 'absent' && mismatches.some((m) => !m.negated && m.attribute.startsWith('request.auth'))) {
    hints.push(`no token was given, and the rules that could allow it need a request principal or claims${facts.token === undefined ? ' (pass --token or "claims")' : ''}`);
  }
  return hints;
}

function traceLines(t: TraceEntry): string[] {
  const head = `  ${t.action.padEnd(6)} ${t.policy}${t.dryRun ? ' [dry-run]' : ''}`;
  if (!t.applies) return [`${head} — does not apply: ${t.scope}`];
  const out = [`${head} (${t.scope}) — ${t.note}`];
  for (const r of t.rules) {
    if (r.matched) out.push(`      rule ${r.rule}: matched${r.ignored?.length ? ` (ignored for TCP: ${r.ignored.join(', ')})` : ''}`);
    else if (r.dropped) out.push(`      rule ${r.rule}: dropped — ${r.dropped}`);
    else out.push(`      rule ${r.rule}: no match — ${(r.mismatches ?? []).map(mismatchText).join('; ')}`);
  }
  return out;
}

function mismatchText(m: FieldMismatch): string {
  const expected = m.expected.length > 3 ? `${m.expected.slice(0, 3).join(', ')}, …` : m.expected.join(', ');
  return `${m.field}: ${m.attribute} is ${m.actual}, ${m.negated ? 'must not be' : 'expected'} ${expected}`;
}
