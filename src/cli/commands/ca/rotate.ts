/**
 * `meshguard ca rotate --prepare | --activate | --retire [--force]` (SPIRE's
 * prepare → activate → taint): prepare adds a new root to the bundle, activate
 * makes it sign, retire drops the old one once no SVID it signed can be alive.
 */
import type { Command } from 'commander';
import type { CaStatus } from '../../../control/ca-service/ca-status.js';
import { MeshguardError } from '../../../errors.js';
import { connectControlPlane, resolveDataDir } from '../../control-client.js';
import { parseOutputFormat } from '../../output.js';
import { printCaStatus } from './print-status.js';

interface Flags { prepare?: boolean; activate?: boolean; retire?: boolean; force?: boolean; output: string; dataDir?: string }

export function addRotate(parent: Command): void {
  parent
    .command('rotate')
    .description('rotate the root: --prepare (trust a new root), --activate (sign with it), --retire (stop trusting the old one)')
    .option('--prepare', 'create the next root and add it to the bundle')
    .option('--activate', 'sign with the prepared root; the old one stays trusted')
    .option('--retire', 'remove the old root from the bundle')
    .option('--force', 'retire even though SVIDs signed by the old root may still be valid (they stop verifying)')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .option('--data-dir <dir>', 'data directory of the control plane (default $MESHGUARD_DIR or ./.meshguard)')
    .action(async (flags: Flags) => {
      const steps = (['prepare', 'activate', 'retire'] as const).filter((s) => flags[s] === true);
      if (steps.length !== 1) throw new MeshguardError('MG_CLI_BAD_ROTATE_STEP', 'give exactly one of --prepare, --activate, --retire');
      const format = parseOutputFormat(flags.output);
      const admin = await connectControlPlane(resolveDataDir(flags.dataDir));
      try {
        const status = await admin.call<CaStatus>('POST', '/v1/ca/rotate', { step: steps[0], ...(flags.force ? { force: true } : {}) });
        if (format === 'table') process.stdout.write(`Rotation step "${steps[0]}" done.\n`);
        printCaStatus(status, format);
      } finally {
        await admin.close();
      }
    });
}
