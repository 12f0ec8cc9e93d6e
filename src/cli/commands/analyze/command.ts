/**
 * `meshguard analyze`: Istio's validation errors plus warnings about risky or
 * ineffective security configuration, each with a stable code and a fix.
 * Never fetches anything.
 *
 *   meshguard analyze -f manifests/ -R [--mesh-config mesh.yaml] [-o json|yaml] [--failure-threshold Warning]
 *
 * Like istioctl: exit 0 when nothing reaches --failure-threshold (default Error),
 * else 79 (istioctl's "analyzer found issues" code); 1 when the command itself failed.
 */
import type { Command } from 'commander';
import type { ConfigError } from '../../../config/index.js';
import { analyze } from '../../../policy/analyze/analyze.js';
import { LEVEL_RANK, type Finding, type Level } from '../../../policy/analyze/finding.js';
import { loadConfig, withConfigFlags, type ConfigFlags } from '../../load-config.js';
import { parseOutputFormat, printDocument } from '../../output.js';

/** istioctl's exit code when analysis finds issues at or above the failure threshold. */
export const EXIT_ISSUES_FOUND = 79;

interface AnalyzeFlags extends ConfigFlags {
  output?: string;
  failureThreshold: string;
  outputThreshold: string;
}

export function register(program: Command): void {
  withConfigFlags(program.command('analyze'))
    .description('find errors and risky settings in Istio security configuration')
    .option('-o, --output <format>', 'output format: json or yaml (default: one line per finding)')
    .option('--failure-threshold <level>', 'lowest level that makes the exit code non-zero: Info, Warning or Error', 'Error')
    .option('--output-threshold <level>', 'lowest level printed: Info, Warning or Error', 'Info')
    .action(async (flags: AnalyzeFlags) => {
      process.exitCode = await runAnalyze(flags);
    });
}

function parseLevel(flag: string, value: string): Level {
  const level = (Object.keys(LEVEL_RANK) as Level[]).find((l) => l.toLowerCase() === value.toLowerCase());
  if (!level) throw new Error(`${flag} must be Info, Warning or Error, got "${value}"`);
  return level;
}

async function runAnalyze(flags: AnalyzeFlags): Promise<number> {
  const format = parseOutputFormat(flags.output, ['text', 'json', 'yaml']);
  const failAt = parseLevel('--failure-threshold', flags.failureThreshold);
  const showAt = parseLevel('--output-threshold', flags.outputThreshold);
  if (flags.filename.length === 0) {
    process.stderr.write('error: nothing to analyze: pass -f FILE_OR_DIR (repeatable, -R to recurse)\n');
    return 1;
  }
  const loaded = await loadConfig(flags);
  const findings = [...loaded.errors.map(configFinding), ...analyze(loaded.resources, loaded.mesh)];
  const shown = findings.filter((f) => LEVEL_RANK[f.level] >= LEVEL_RANK[showAt]);
  if (format !== 'text') printDocument(format, shown);
  else if (shown.length === 0) process.stdout.write(`✔ No validation issues found when analyzing ${flags.filename.join(', ')}.\n`);
  else for (const f of shown) process.stdout.write(formatFinding(f));
  return findings.some((f) => LEVEL_RANK[f.level] >= LEVEL_RANK[failAt]) ? EXIT_ISSUES_FOUND : 0;
}

/** A loading or validation error, as an Error finding. */
function configFinding(e: ConfigError): Finding {
  return {
    level: 'Error', code: e.code, resource: null, file: e.file, line: e.line, column: e.column,
    field: e.field || null, message: e.message, fix: e.hint ?? 'correct the field as the message says',
  };
}

/** istioctl's shape, `Level [CODE] (Kind name.namespace) message`, plus where and the fix. */
function formatFinding(f: Finding): string {
  const res = f.resource ? ` (${f.resource.kind} ${f.resource.name}.${f.resource.namespace})` : '';
  const where = f.file ? ` ${f.file}:${f.line ?? 1}:${f.column ?? 1}${f.field ? ` ${f.field}` : ''}:` : '';
  return `${f.level} [${f.code}]${res}${where} ${f.message}\n    fix: ${f.fix}\n`;
}
