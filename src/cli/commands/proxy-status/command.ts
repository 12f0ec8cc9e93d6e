/**
 * `meshguard proxy-status [-o json|yaml]`: each connected proxy's snapshot
 * version and whether it is in sync, like `istioctl proxy-status`.
 *
 *   NAME    NAMESPACE     VERSION           STATUS  LAST ACK
 *   webapp  istioinaction 3f9c0a1b2c3d4e5f  SYNCED  4s
 */
import type { Command } from 'commander';
import type { ProxyStatus } from '../../../control/distribution/proxy-status.js';
import { addAdminQuery } from '../../control-client.js';
import { age, printRows } from '../../output.js';

export function register(program: Command): void {
  addAdminQuery(program, 'proxy-status', "show each proxy's configuration version and SYNCED, STALE, NOT SENT or NACK", async (admin, format) => {
    const { items } = await admin.call<{ items: ProxyStatus[] }>('GET', '/v1/proxy-status');
    const connected = items.filter((p) => p.connected);
    printRows(connected, [
      ['name', (p) => p.name], ['namespace', (p) => p.namespace], ['version', (p) => p.lastSentVersion ?? '-'],
      ['status', (p) => p.status], ['last ack', (p) => (p.lastAckAt === null ? '-' : age(p.lastAckAt))],
    ], format, { items });
    if (format !== 'table') return;
    for (const p of connected) {
      if (p.status === 'NACK' && p.lastNack) process.stderr.write(`${p.namespace}/${p.name} refused ${p.lastNack.version}: ${p.lastNack.error}\n`);
    }
  }, 'table, json or yaml (json and yaml include disconnected proxies)');
}
