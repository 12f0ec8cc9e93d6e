#!/usr/bin/env node
/**
 * The `meshguard` command. Each subcommand lives in `commands/<noun>[/<verb>].ts`
 * and is imported only when it runs, so `meshguard check` does not pay for the
 * control plane's gRPC or SQLite modules.
 */
import { Command } from 'commander';
import { registerCommands } from './registry.js';

const program = new Command('meshguard')
  .description('Zero-trust security for service-to-service traffic: SPIFFE identities, mTLS, JWT and Istio-compatible authorization.')
  .showHelpAfterError('(run with --help for usage)');

try {
  await registerCommands(program, process.argv);
  await program.parseAsync(process.argv);
} catch (err: unknown) {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
