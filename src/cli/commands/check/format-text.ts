/**
 * `meshguard check`'s default output: the request's journey in words, stage by
 * stage, then every policy that was considered and why it did or did not match.
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

export function formatText(facts: RequestFacts, out: RequestOutcome): string {
  const lines: string[] = [];
  const who = facts.source.principal ? `${facts.source.principal} (mTLS)` : 'a plaintext client (no peer identity)';
  const labels = Object.entries(facts.workload.labels).map(([k, v]) => `${k}=${v}`).join(',');
  const what = facts.http ? `${facts.http.method} ${facts.http.host}${facts.http.path}` : 'TCP connection';
  lines.push(`Request   ${what}`);
  lines.push(`          to ${facts.workload.namespace} {${labels}} port ${facts.port}, from ${who}${facts.source.ip ? ` at ${facts.source.ip}` : ''}`);
  lines.push('');
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
  const status = typeof out.response === 'number' && out.response === 401 && out.authn.result === 'invalid'
    ? `401 ${out.authn.body}` : RESPONSE_TEXT[String(out.response)] ?? String(out.response);
  lines.push(`Response  ${status}`);
  const trace = out.authz?.trace ?? [];
  if (trace.length > 0) {
    lines.push('', 'Authorization policies:');
    for (const t of trace) lines.push(...traceLines(t));
  }
  return `${lines.join('\n')}\n`;
}

function authnLine(out: RequestOutcome): string {
  const a = out.authn;
  switch (a.result) {
    case 'valid': return `valid token — request principal ${a.principal}`;
    case 'invalid': return `invalid token — ${a.status} ${a.body} (${a.reason})`;
    case 'absent': return `no token — no request principal, not rejected (${a.reason})`;
    default: return `not evaluated — ${a.reason}`;
  }
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
