/**
 * What a validation rule reports before the loader places it in a file: the
 * rule's stable name, the field path inside the document, and the fix.
 */
import type { FieldPath } from '../yaml-positions.js';

export interface Finding {
  /** Stable rule name, e.g. `authz-custom-needs-provider`; becomes `ConfigError.rule`. */
  rule: string;
  path: FieldPath;
  message: string;
  hint?: string;
}

export type Report = (rule: string, path: FieldPath, message: string, hint?: string) => void;

/** Collects findings in order; the returned `report` is what rule functions call. */
export function findings(): { list: Finding[]; report: Report } {
  const list: Finding[] = [];
  return { list, report: (rule, path, message, hint) => list.push({ rule, path, message, ...(hint ? { hint } : {}) }) };
}
