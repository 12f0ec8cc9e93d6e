/** `meshguard token revoke <id>`: the token can no longer be redeemed and what it attested stops renewing. */
import type { Command } from 'commander';
import { connectControlPlane, resolveDataDir } from '../../control-client.js';

export function addRevoke(parent: Command): void {
  parent
    .command('revoke')
    .description('revoke a token by id (see `meshguard token list`)')
    .argument('<id>', 'token id')
    .option('--data-dir <dir>', 'data directory of the control plane (default $MESHGUARD_DIR or ./.meshguard)')
    .action(async (id: string, flags: { dataDir?: string }) => {
      const admin = await connectControlPlane(resolveDataDir(flags.dataDir));
      try {
        await admin.call('DELETE', `/v1/tokens/${encodeURIComponent(id)}`);
        process.stdout.write(`token ${id} revoked\n`);
      } finally {
        await admin.close();
      }
    });
}
