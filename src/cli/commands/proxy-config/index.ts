/** `meshguard proxy-config <what> <workload>`: read a running proxy's state, as istioctl does. */
import type { Command } from 'commander';
import { addSecret } from './secret.js';

export function register(program: Command): void {
  const pc = program.command('proxy-config').description("show a running proxy's configuration (istioctl proxy-config)");
  addSecret(pc);
}
