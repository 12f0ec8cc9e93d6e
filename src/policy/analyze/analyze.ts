/**
 * `meshguard analyze`'s engine: runs every analyzer over loaded resources and
 * returns findings, most severe first. Pure: nothing is fetched or read.
 */
import type { MeshConfig, Resource } from '../../config/kinds.js';
import { buildContext, type AnalyzeContext } from './context.js';
import { compareFindings, finding, type Finding } from './finding.js';
import { hostPortMismatch } from './analyzers/host-port-mismatch.js';
import { httpFieldsOnTcp } from './analyzers/http-fields-on-tcp.js';
import { jwtNotRequired } from './analyzers/jwt-not-required.js';
import { peerAuthenticationScope } from './analyzers/peer-authentication.js';
import { peerIdOnPlaintextPort } from './analyzers/peer-id-on-plaintext-port.js';
import { portNotServed } from './analyzers/port-not-served.js';
import { principalWithScheme } from './analyzers/principal-with-scheme.js';
import { ruleShadowed } from './analyzers/rule-shadowed.js';
import { selectorNoMatch } from './analyzers/selector-no-match.js';
import { undefinedProvider } from './analyzers/undefined-provider.js';

export interface Analyzer {
  name: string;
  run(ctx: AnalyzeContext): Finding[];
}

/** Every built-in analyzer, listed once (`meshguard analyze --list-analyzers` prints these). */
export const ANALYZERS: readonly Analyzer[] = [
  { name: 'selector-no-match', run: selectorNoMatch },
  { name: 'peer-id-on-plaintext-port', run: peerIdOnPlaintextPort },
  { name: 'jwt-not-required', run: jwtNotRequired },
  { name: 'undefined-provider', run: undefinedProvider },
  { name: 'peer-authentication-scope', run: peerAuthenticationScope },
  { name: 'principal-with-scheme', run: principalWithScheme },
  { name: 'host-port-mismatch', run: hostPortMismatch },
  { name: 'http-fields-on-tcp', run: httpFieldsOnTcp },
  { name: 'rule-shadowed', run: ruleShadowed },
  { name: 'port-not-served', run: portNotServed },
];

/**
 * Analyzes a set of resources.
 *
 * @example
 * const { resources, mesh } = parseDocuments([{ file, text }]);
 * for (const f of analyze(resources, mesh)) console.log(f.level, f.code, f.message);
 */
export function analyze(resources: Resource[], mesh: MeshConfig): Finding[] {
  const ctx = buildContext(resources, mesh);
  const out = ANALYZERS.flatMap((a) => a.run(ctx));
  const usesSelectors = [...ctx.authorizationPolicies, ...ctx.peerAuthentications, ...ctx.requestAuthentications]
    .some((p) => Object.keys(p.spec.selector?.matchLabels ?? {}).length > 0);
  if (!ctx.workloadsKnown && usesSelectors) {
    out.push(finding('MG_ANALYZE_NO_WORKLOADS', null, null, 'no Workload or Service was given: selectors, ports and hosts were not checked against workloads'));
  }
  return out.sort(compareFindings);
}
