/** `meshguard entry delete <id>`: the identities it named stop renewing. */
import type { Command } from 'commander';
import { connectControlPlane, resolveDataDir } from '../../control-client.js';

export function addDelete(parent: Command): void {
  parent
    .command('delete')
    .description('delete a registration entry by id (see `meshguard entry list`)')
    .argument('<id>', 'entry id')
    .option('--data-dir <dir>', 'data directory of the control plane (default $MESHGUARD_DIR or ./.meshguard)')
    .action(async (id: string, flags: { dataDir?: string }) => {
      const admin = await connectControlPlane(resolveDataDir(flags.dataDir));
      try {
        await admin.call('DELETE', `/v1/entries/${encodeURIComponent(id)}`);
        process.stdout.write(`entry ${id} deleted\n`);
      } finally {
        await admin.close();
      }
    });
}
