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
  apply: {
    summary: 'apply resources from files to the running mesh (all or nothing)',
    load: () => import('./commands/apply/command.js'),
  },
  delete: {
    summary: 'delete the resources named in files from the running mesh',
    load: () => import('./commands/delete/command.js'),
  },
  'proxy-status': {
    summary: "show each proxy's configuration version and sync status",
    load: () => import('./commands/proxy-status/command.js'),
  },
  'proxy-config': {
    summary: "show a running proxy's certificates (istioctl proxy-config secret)",
    load: () => import('./commands/proxy-config/index.js'),
  },
  up: {
    summary: 'start a local mesh from a directory of resources, in the foreground (control plane, sidecars, apps)',
    load: () => import('./commands/up/command.js'),
  },
  down: {
    summary: 'stop the mesh started by `meshguard up`',
    load: () => import('./commands/down/command.js'),
  },
  exec: {
    summary: 'run a command as a workload of the running mesh (meshguard exec default/sleep -- curl …)',
    load: () => import('./commands/exec/command.js'),
  },
  proxy: {
    summary: 'run one sidecar (mTLS inbound, outbound HTTP proxy, Workload API); `meshguard up` starts them',
    load: () => import('./commands/proxy.js'),
  },
  ca: {
    summary: 'show the CA, rotate its root (prepare/activate/retire), sign a CSR made by another tool',
    load: () => import('./commands/ca/index.js'),
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
