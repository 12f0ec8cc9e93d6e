/** `meshguard token list [-o json|yaml]`: tokens with their state; never the secret. */
import type { Command } from 'commander';
import { addAdminQuery } from '../../control-client.js';
import { age, printRows } from '../../output.js';

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
  addAdminQuery(parent, 'list', 'list attestation tokens (the secrets are never shown again)', async (admin, format) => {
    const { items } = await admin.call<{ items: TokenRow[] }>('GET', '/v1/tokens');
    printRows(items, [
      ['id', (t) => t.id], ['kind', (t) => t.kind], ['namespace', (t) => t.namespace],
      ['service account', (t) => t.serviceAccount], ['state', (t) => t.state],
      ['expires', (t) => new Date(t.expiresAt).toISOString()], ['age', (t) => age(t.createdAt)],
    ], format, { items });
  });
}
