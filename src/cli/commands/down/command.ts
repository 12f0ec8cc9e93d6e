/**
 * `meshguard down`: stops the mesh `meshguard up` runs in the data directory —
 * signals `up` (found in `up.json`), which stops apps, sidecars and the control
 * plane in reverse order, and waits until it has.
 */
import type { Command } from 'commander';
import { meshDataDir, stopRunningMesh } from '../../../platform/local/running-mesh.js';

export function register(program: Command): void {
  program
    .command('down')
    .description('stop the mesh started by `meshguard up` (waits until everything has stopped)')
    .option('--data-dir <dir>', 'data directory of the mesh (default $MESHGUARD_DIR or ./.meshguard)')
    .action(async (flags: { dataDir?: string }) => {
      const { pid } = await stopRunningMesh(meshDataDir(flags.dataDir));
      process.stdout.write(`mesh stopped (meshguard up, pid ${pid})\n`);
    });
}
