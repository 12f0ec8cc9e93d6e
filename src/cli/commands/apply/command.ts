/**
 * `meshguard apply -f PATH… [-R]`: change the running mesh, kubectl style.
 * All or nothing: any configuration error → nothing is sent, errors printed
 * with file:line, exit 1. The control plane validates again and refuses
 * invalid input the same way.
 *
 *   authorizationpolicy.security.istio.io/deny-all created
 */
import type { Command } from 'commander';
import { toDocument } from '../../../control/distribution/resource-records.js';
import type { ChangeResult } from '../../../control/distribution/distributor.js';
import { connectControlPlane, resolveDataDir } from '../../control-client.js';
import { loadConfig, printConfigErrors, withConfigFlags, type ConfigFlags } from '../../load-config.js';

export interface ChangeFlags extends ConfigFlags {
  dataDir?: string;
}

/** Shared by apply and delete: load, refuse on any error, send, return the control plane's results (or null after printing errors). */
export async function sendChange(flags: ChangeFlags, path: '/v1/config/apply' | '/v1/config/delete', verb: string): Promise<ChangeResult[] | null> {
  if (flags.filename.length === 0) {
    process.stderr.write(`error: nothing to ${verb}: pass -f FILE_OR_DIR (repeatable)\n`);
    return null;
  }
  const loaded = await loadConfig(flags);
  if (loaded.errors.length > 0) {
    printConfigErrors(loaded.errors);
    process.stderr.write(`error: ${loaded.errors.length} configuration error(s); nothing was ${verb === 'apply' ? 'applied' : 'deleted'}\n`);
    return null;
  }
  const admin = await connectControlPlane(resolveDataDir(flags.dataDir));
  try {
    const body = { resources: loaded.resources.map(toDocument), ...(loaded.meshSource ? { mesh: loaded.mesh } : {}) };
    const { results } = await admin.call<{ results: ChangeResult[] }>('POST', path, body);
    return results;
  } finally {
    await admin.close();
  }
}

export function register(program: Command): void {
  withConfigFlags(program.command('apply'))
    .description('apply resources to the running mesh (all or nothing); every proxy has the change within a second')
    .option('--data-dir <dir>', 'data directory of the control plane (default $MESHGUARD_DIR or ./.meshguard)')
    .action(async (flags: ChangeFlags) => {
      const results = await sendChange(flags, '/v1/config/apply', 'apply');
      if (!results) {
        process.exitCode = 1;
        return;
      }
      for (const r of results) process.stdout.write(`${r.ref} ${r.result}\n`);
    });
}
