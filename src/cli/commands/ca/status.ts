/** `meshguard ca status [-o json|yaml]`: roots and intermediates, their state and validity, certificates issued. */
import type { Command } from 'commander';
import type { CaStatus } from '../../../control/ca-service/ca-status.js';
import { addAdminQuery } from '../../control-client.js';
import { printCaStatus } from './print-status.js';

export function addStatus(parent: Command): void {
  addAdminQuery(
    parent, 'status',
    'show roots and intermediates (NOT BEFORE, NOT AFTER, current|next|previous|retired), certificates issued; warns 30 days before expiry',
    async (admin, format) => printCaStatus(await admin.call<CaStatus>('GET', '/v1/ca/status'), format),
  );
}
