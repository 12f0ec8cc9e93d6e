/** `meshguard token create|list|revoke`: join and local attestation tokens, on the running control plane. */
import type { Command } from 'commander';
import { addCreate } from './create.js';
import { addList } from './list.js';
import { addRevoke } from './revoke.js';

export function register(program: Command): void {
  const token = program.command('token').description('create, list and revoke attestation tokens');
  addCreate(token);
  addList(token);
  addRevoke(token);
}
