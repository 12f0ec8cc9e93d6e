/** `meshguard entry create|list|delete`: registration entries, as SPIRE's `spire-server entry`. */
import type { Command } from 'commander';
import { addCreate } from './create.js';
import { addDelete } from './delete.js';
import { addList } from './list.js';

export function register(program: Command): void {
  const entry = program.command('entry').description('create, list and delete registration entries');
  addCreate(entry);
  addList(entry);
  addDelete(entry);
}
