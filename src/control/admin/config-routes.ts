/**
 * Admin routes of configuration distribution (on the 0600 admin socket):
 *
 *   POST /v1/config/apply     {resources, mesh?} → {results: [{ref, namespace, result}]}
 *   POST /v1/config/delete    {resources, mesh?} → {results}
 *   GET  /v1/config/resources → {version, mesh, items}   (the running mesh, for `meshguard check`)
 *   GET  /v1/proxy-status     → {items: ProxyStatus[]}
 *
 * The admin context carries the distributor as `distribution` (absent: 404).
 */
import type { ConfigDistributor } from '../distribution/distributor.js';
import { ControlError } from '../errors.js';
import type { Route } from './routes.js';

function distributionOf(ctx: object): ConfigDistributor {
  const d = (ctx as { distribution?: ConfigDistributor }).distribution;
  if (!d) throw new ControlError('MG_CONTROL_NOT_FOUND', 'this control plane does not distribute configuration');
  return d;
}

export const CONFIG_ADMIN_ROUTES: readonly Route[] = [
  { method: 'POST', path: '/v1/config/apply', handle: async (ctx, body) => ({ status: 200, body: { results: await distributionOf(ctx).apply(body) } }) },
  { method: 'POST', path: '/v1/config/delete', handle: async (ctx, body) => ({ status: 200, body: { results: await distributionOf(ctx).delete(body) } }) },
  { method: 'GET', path: '/v1/config/resources', handle: async (ctx) => ({ status: 200, body: await distributionOf(ctx).resources() }) },
  { method: 'GET', path: '/v1/proxy-status', handle: async (ctx) => ({ status: 200, body: { items: distributionOf(ctx).proxyStatus() } }) },
];
