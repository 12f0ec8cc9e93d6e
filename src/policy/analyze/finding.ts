/**
 * What `meshguard analyze` reports: one finding per problem, with a stable code,
 * the resource and place it is about, and the fix. The catalogue of codes is
 * `codes.ts`; analyzers only pick a code and fill in the details.
 */
import type { Position, Resource } from '../../config/kinds.js';
import { ANALYZER_CODES, type AnalyzerCode } from './codes.js';

export type Level = 'Error' | 'Warning' | 'Info';

export const LEVEL_RANK: Record<Level, number> = { Info: 0, Warning: 1, Error: 2 };

export interface Finding {
  level: Level;
  code: string;
  /** `AuthorizationPolicy istioinaction/deny-all`, or null for findings about the mesh as a whole. */
  resource: { kind: string; namespace: string; name: string } | null;
  file: string | null;
  line: number | null;
  column: number | null;
  /** Field path inside the resource, e.g. `spec.rules[0].from[0].source.principals[0]`. */
  field: string | null;
  message: string;
  fix: string;
}

/**
 * Builds a finding for `resource` from the catalogue entry `code`.
 *
 * @example
 * finding('MG_ANALYZE_PRINCIPAL_WITH_SCHEME', policy, 'spec.rules[0].from[0].source.principals[0]',
 *   'principal "spiffe://cluster.local/ns/a/sa/b" never matches')
 */
export function finding(code: AnalyzerCode, resource: Resource | null, field: string | null, message: string, fix?: string): Finding {
  const entry = ANALYZER_CODES[code];
  const pos: Position | undefined = resource && field ? (resource.source.fields?.[field] ?? nearestField(resource, field)) : undefined;
  return {
    level: entry.level,
    code,
    resource: resource ? { kind: resource.kind, namespace: resource.metadata.namespace, name: resource.metadata.name } : null,
    file: resource?.source.file ?? null,
    line: pos?.line ?? resource?.source.line ?? null,
    column: pos?.column ?? resource?.source.column ?? null,
    field,
    message,
    fix: fix ?? entry.fix,
  };
}

/** The closest enclosing field that has a recorded position (`a.b[0].c` → `a.b[0]` → `a.b` → `a`). */
function nearestField(resource: Resource, field: string): Position | undefined {
  let path = field;
  while (path) {
    const pos = resource.source.fields?.[path];
    if (pos) return pos;
    const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    if (cut <= 0) return undefined;
    path = path.slice(0, cut);
  }
  return undefined;
}

/** Most severe first, then by file and line, so output is stable. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    LEVEL_RANK[b.level] - LEVEL_RANK[a.level] ||
    (a.file ?? '').localeCompare(b.file ?? '') ||
    (a.line ?? 0) - (b.line ?? 0) ||
    a.code.localeCompare(b.code)
  );
}
