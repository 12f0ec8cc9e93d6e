/** `meshguard entry list [-o json|yaml]`. */
import type { Command } from 'commander';
import { age, connectControlPlane, parseOutputFormat, printRows, resolveDataDir } from '../../control-client.js';

interface Entry {
  id: string;
  spiffeId: string;
  selectors: string[];
  createdAt: number;
}

export function addList(parent: Command): void {
  parent
    .command('list')
    .description('list registration entries')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .option('--data-dir <dir>', 'data directory of the control plane (default $MESHGUARD_DIR or ./.meshguard)')
    .action(async (flags: { output: string; dataDir?: string }) => {
      const format = parseOutputFormat(flags.output);
      const admin = await connectControlPlane(resolveDataDir(flags.dataDir));
      try {
        const { items } = await admin.call<{ items: Entry[] }>('GET', '/v1/entries');
        printRows(items, [
          ['id', (e) => e.id], ['spiffe id', (e) => e.spiffeId], ['selectors', (e) => e.selectors.join(',')], ['age', (e) => age(e.createdAt)],
        ], format, { items });
      } finally {
        await admin.close();
      }
    });
}
