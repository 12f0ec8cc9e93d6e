/** `meshguard token list [-o json|yaml]`: tokens with their state; never the secret. */
import type { Command } from 'commander';
import { age, connectControlPlane, parseOutputFormat, printRows, resolveDataDir } from '../../control-client.js';

interface TokenRow {
  id: string;
  kind: string;
  namespace: string;
  serviceAccount: string;
  state: string;
  createdAt: number;
  expiresAt: number;
}

export function addList(parent: Command): void {
  parent
    .command('list')
    .description('list attestation tokens (the secrets are never shown again)')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .option('--data-dir <dir>', 'data directory of the control plane (default $MESHGUARD_DIR or ./.meshguard)')
    .action(async (flags: { output: string; dataDir?: string }) => {
      const format = parseOutputFormat(flags.output);
      const admin = await connectControlPlane(resolveDataDir(flags.dataDir));
      try {
        const { items } = await admin.call<{ items: TokenRow[] }>('GET', '/v1/tokens');
        printRows(items, [
          ['id', (t) => t.id], ['kind', (t) => t.kind], ['namespace', (t) => t.namespace],
          ['service account', (t) => t.serviceAccount], ['state', (t) => t.state],
          ['expires', (t) => new Date(t.expiresAt).toISOString()], ['age', (t) => age(t.createdAt)],
        ], format, { items });
      } finally {
        await admin.close();
      }
    });
}
