/** Prints a CA status (admin `GET /v1/ca/status`) as a table with warnings, or JSON/YAML. */
import type { CaStatus } from '../../../control/ca-service/ca-status.js';
import { printDocument, printRows, type TableFormat } from '../../output.js';

/** @example printCaStatus(await admin.call('GET', '/v1/ca/status'), 'table'); */
export function printCaStatus(s: CaStatus, format: TableFormat): void {
  if (format !== 'table') return printDocument(format, s);
  process.stdout.write(`Trust domain ${s.trustDomain} (${s.mode} CA), rotation ${s.phase}, bundle sequence ${s.bundleSequence}\n\n`);
  printRows(s.authorities, [
    ['kind', (a) => a.kind], ['id', (a) => a.id ?? '-'], ['state', (a) => a.state], ['subject', (a) => a.subject],
    ['not before', (a) => a.notBefore], ['not after', (a) => a.notAfter], ['days left', (a) => String(a.daysLeft)],
  ], 'table');
  process.stdout.write(`\nCertificates issued: ${s.certificatesIssued}\n`);
  for (const w of s.warnings) process.stdout.write(`WARNING: ${w}\n`);
}
