/** `meshguard entry list [-o json|yaml]`. */
import type { Command } from 'commander';
import { addAdminQuery } from '../../control-client.js';
import { age, printRows } from '../../output.js';

interface Entry {
  id: string;
  spiffeId: string;
  selectors: string[];
  createdAt: number;
}

export function addList(parent: Command): void {
  addAdminQuery(parent, 'list', 'list registration entries', async (admin, format) => {
    const { items } = await admin.call<{ items: Entry[] }>('GET', '/v1/entries');
    printRows(items, [
      ['id', (e) => e.id], ['spiffe id', (e) => e.spiffeId], ['selectors', (e) => e.selectors.join(',')], ['age', (e) => age(e.createdAt)],
    ], format, { items });
  });
}
