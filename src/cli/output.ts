/**
 * How every command prints, the kubectl habit: `-o table|json|yaml` (or
 * `text|json|yaml` for reports such as `check`), exactly one document on stdout
 * for machines, an aligned table with upper-case headers for people.
 */
import { stringify } from 'yaml';
import { MeshguardError } from '../errors.js';

export type OutputFormat = 'text' | 'table' | 'json' | 'yaml';

/** What list and status commands accept; `wide` is read as `table`, as kubectl users type it. */
export const TABLE_FORMATS = ['table', 'json', 'yaml'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

/**
 * Validates `-o` against the formats this command prints; absent means the first one.
 *
 * @example parseOutputFormat('json') // 'json'
 * @example parseOutputFormat(flags.output, ['text', 'json', 'yaml']) // 'text' when -o is absent
 */
export function parseOutputFormat<F extends OutputFormat = TableFormat>(
  value: string | undefined,
  allowed: readonly F[] = TABLE_FORMATS as unknown as readonly F[],
): F {
  const v = value === 'wide' ? 'table' : (value ?? allowed[0]);
  const found = allowed.find((a) => a === v);
  if (found === undefined) {
    throw new MeshguardError('MG_CLI_BAD_OUTPUT', `-o must be ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)}, not "${value}"`);
  }
  return found;
}

/** Prints one value as JSON or YAML. @example printDocument('json', { items }) */
export function printDocument(format: 'json' | 'yaml', doc: unknown): void {
  process.stdout.write(format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc));
}

/** A column: its header and how to read it from a row. */
export type Column<T> = [header: string, get: (row: T) => string];

/**
 * Prints rows as an aligned table (upper-case headers, two spaces between
 * columns, `No resources found.` when empty), or `raw` as JSON/YAML.
 *
 * @example printRows(items, [['id', (e) => e.id], ['age', (e) => age(e.createdAt)]], 'table', { items });
 */
export function printRows<T>(rows: readonly T[], columns: readonly Column<T>[], format: OutputFormat, raw: unknown = rows): void {
  if (format === 'json' || format === 'yaml') return printDocument(format, raw);
  process.stdout.write(formatTable(rows, columns));
}

/** The table `printRows` prints, as a string. @example formatTable([{ a: 'x' }], [['a', (r) => r.a]]) // 'A\nx\n' */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  if (rows.length === 0) return 'No resources found.\n';
  const cells = [columns.map(([h]) => h.toUpperCase()), ...rows.map((r) => columns.map(([, get]) => get(r)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  return cells.map((line) => `${line.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`).join('');
}

/** kubectl's AGE column: `45s`, `12m`, `3h`, `2d`. @example age(Date.now() - 90_000) // '90s' */
export function age(fromMs: number, now: number = Date.now()): string {
  const s = Math.max(0, Math.round((now - fromMs) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
