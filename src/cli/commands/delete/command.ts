/**
 * `meshguard delete -f PATH… [-R] [--ignore-not-found]`: remove the resources
 * the files name from the running mesh, kubectl style. Exit 1 when one was not
 * there (as kubectl), unless `--ignore-not-found`.
 *
 *   authorizationpolicy.security.istio.io/deny-all deleted
 */
import type { Command } from 'commander';
import { withConfigFlags } from '../../load-config.js';
import { sendChange, type ChangeFlags } from '../apply/command.js';

export function register(program: Command): void {
  withConfigFlags(program.command('delete'))
    .description('delete the resources named in the files from the running mesh')
    .option('--ignore-not-found', 'a resource that is not there is not an error')
    .option('--data-dir <dir>', 'data directory of the control plane (default $MESHGUARD_DIR or ./.meshguard)')
    .action(async (flags: ChangeFlags & { ignoreNotFound?: boolean }) => {
      const results = await sendChange(flags, '/v1/config/delete', 'delete');
      if (!results) {
        process.exitCode = 1;
        return;
      }
      for (const r of results) {
        if (r.result === 'deleted') process.stdout.write(`${r.ref} deleted\n`);
        else if (!flags.ignoreNotFound) {
          process.stderr.write(`Error from server (NotFound): ${r.ref} not found in namespace ${r.namespace}\n`);
          process.exitCode = 1;
        }
      }
    });
}
