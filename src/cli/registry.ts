/**
 * The list of `meshguard` subcommands. Only the one being run is imported: the
 * others appear in `--help` by their summary alone. A command module exports
 * `register(program)`, which adds its `Command` with options and action.
 */
import type { Command } from 'commander';

export interface CommandModule {
  register(program: Command): void;
}

interface Entry {
  summary: string;
  load: () => Promise<CommandModule>;
}

export const COMMANDS: Record<string, Entry> = {
  check: {
    summary: 'evaluate one request against the configuration and explain the decision',
    load: () => import('./commands/check/command.js'),
  },
  analyze: {
    summary: 'find errors and risky settings in Istio security configuration',
    load: () => import('./commands/analyze/command.js'),
  },
  'control-plane': {
    summary: 'run the control plane: store, attestation and admin socket (foreground)',
    load: () => import('./commands/control-plane.js'),
  },
  token: {
    summary: 'create, list and revoke attestation tokens',
    load: () => import('./commands/token/index.js'),
  },
  entry: {
    summary: 'create, list and delete registration entries',
    load: () => import('./commands/entry/index.js'),
  },
};

/** Registers the command named in argv (loaded), and the others as summaries for help. */
export async function registerCommands(program: Command, argv: string[]): Promise<void> {
  const wanted = argv.slice(2).find((a) => !a.startsWith('-'));
  for (const [name, entry] of Object.entries(COMMANDS)) {
    if (name === wanted) {
      (await entry.load()).register(program);
    } else {
      // Listed for `meshguard --help`; its options are known once it is the one run.
      program.command(name).description(entry.summary);
    }
  }
}
