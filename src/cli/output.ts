/** `-o json|yaml` output, the kubectl habit: exactly one document on stdout. */
import { stringify } from 'yaml';

export type OutputFormat = 'text' | 'json' | 'yaml';

export function parseOutputFormat(value: string | undefined, allowed: readonly OutputFormat[]): OutputFormat {
  const v = (value ?? 'text') as OutputFormat;
  if (!allowed.includes(v)) {
    throw new Error(`unknown output format "${value}": use one of ${allowed.filter((a) => a !== 'text').join(', ')}`);
  }
  return v;
}

export function printDocument(format: 'json' | 'yaml', doc: unknown): void {
  process.stdout.write(format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc));
}
