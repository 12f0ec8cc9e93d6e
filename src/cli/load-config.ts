/**
 * `-f PATH… [-R] [--mesh-config FILE]` for every command that reads resources:
 * read the files, parse and validate them, print notes to stderr. Errors are
 * returned, not printed, so each command decides how to report them.
 */
import type { Command } from 'commander';
import { formatConfigError, parseDocuments, type ConfigError, type LoadResult } from '../config/index.js';
import { readInputs } from './read-inputs.js';

export interface ConfigFlags {
  filename: string[];
  recursive?: boolean;
  meshConfig?: string;
}

/** Adds the kubectl-style input flags to a command. */
export function withConfigFlags(cmd: Command): Command {
  return cmd
    .option('-f, --filename <path>', 'file or directory of YAML/JSON resources, `-` for stdin (repeatable)', collect, [])
    .option('-R, --recursive', 'with -f DIR: read subdirectories too')
    .option('--mesh-config <file>', "Istio MeshConfig YAML (istioctl's --meshConfigFile); default: an `istio` ConfigMap among the inputs");
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Reads and loads the inputs. Notes (skipped kinds…) go to stderr; errors come back with the result. */
export async function loadConfig(flags: ConfigFlags): Promise<LoadResult> {
  const { inputs, errors: readErrors } = await readInputs(flags.filename, { recursive: flags.recursive ?? false });
  let meshConfigFile;
  if (flags.meshConfig) {
    const mesh = await readInputs([flags.meshConfig], { recursive: false });
    meshConfigFile = mesh.inputs[0];
    readErrors.push(...mesh.errors);
  }
  const result = parseDocuments(inputs, { meshConfigFile });
  for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
  return { ...result, errors: [...readErrors, ...result.errors] };
}

/** Prints config errors to stderr, one per line, `file:line:col: field: message (hint)`. */
export function printConfigErrors(errors: readonly ConfigError[]): void {
  for (const e of errors) process.stderr.write(`error: ${formatConfigError(e)}\n`);
}
