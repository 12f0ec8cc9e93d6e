/** `meshguard entry create --spiffe-id spiffe://… --selector k8s:ns:payments --selector k8s:sa:checkout-service`. */
import type { Command } from 'commander';
import { connectControlPlane, resolveDataDir } from '../../control-client.js';
import { parseOutputFormat, printDocument } from '../../output.js';

interface Entry {
  id: string;
  spiffeId: string;
  selectors: string[];
  createdAt: number;
}

export function addCreate(parent: Command): void {
  parent
    .command('create')
    .description('give workloads whose attested selectors include all of --selector the identity --spiffe-id')
    .requiredOption('--spiffe-id <id>', 'SPIFFE ID in this trust domain, e.g. spiffe://cluster.local/payments/checkout')
    .requiredOption('--selector <type:value>', 'selector, repeatable: k8s:ns:<ns>, k8s:sa:<sa>, meshguard:token:<id>…',
      (value: string, all: string[] = []) => [...all, value])
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .option('--data-dir <dir>', 'data directory of the control plane (default $MESHGUARD_DIR or ./.meshguard)')
    .action(async (flags: { spiffeId: string; selector: string[]; output: string; dataDir?: string }) => {
      const format = parseOutputFormat(flags.output);
      const admin = await connectControlPlane(resolveDataDir(flags.dataDir));
      try {
        const e = await admin.call<Entry>('POST', '/v1/entries', { spiffeId: flags.spiffeId, selectors: flags.selector });
        if (format !== 'table') return printDocument(format, e);
        process.stdout.write(`Entry ID  : ${e.id}\nSPIFFE ID : ${e.spiffeId}\n${e.selectors.map((s) => `Selector  : ${s}\n`).join('')}`);
      } finally {
        await admin.close();
      }
    });
}
