/** `meshguard ca status [-o json|yaml]`: roots and intermediates, their state and validity, certificates issued. */
import type { Command } from 'commander';
import type { CaStatus } from '../../../control/ca-service/ca-status.js';
import { connectControlPlane, parseOutputFormat, resolveDataDir } from '../../control-client.js';
import { printCaStatus } from './print-status.js';

export function addStatus(parent: Command): void {
  parent
    .command('status')
    .description('show roots and intermediates (NOT BEFORE, NOT AFTER, current|next|previous|retired), certificates issued; warns 30 days before expiry')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .option('--data-dir <dir>', 'data directory of the control plane (default $MESHGUARD_DIR or ./.meshguard)')
    .action(async (flags: { output: string; dataDir?: string }) => {
      const format = parseOutputFormat(flags.output);
      const admin = await connectControlPlane(resolveDataDir(flags.dataDir));
      try {
        printCaStatus(await admin.call<CaStatus>('GET', '/v1/ca/status'), format);
      } finally {
        await admin.close();
      }
    });
}
