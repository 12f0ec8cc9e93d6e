/**
 * The admin API's routes: JSON in, JSON out, one handler per route. Served on
 * the 0600 admin socket only, so whoever can connect is the operator.
 */
import { CA_ADMIN_ROUTES } from '../ca-service/admin-routes.js';
import type { ConfigDistributor } from '../distribution/distributor.js';
import { CONFIG_ADMIN_ROUTES } from './config-routes.js';
import type { CaAdmin } from '../ca-service/ca-service.js';
import type { EntryService } from '../entries/entry-service.js';
import { defaultSpiffeId } from '../entries/spiffe-id-check.js';
import { ControlError } from '../errors.js';
import type { TokenService } from '../tokens/token-service.js';

export interface AdminContext {
  tokens: TokenService;
  entries: EntryService;
  trustDomain: string;
  status: () => Record<string, unknown>;
  /** The CA's status and rotation; absent when the control plane runs no CA. */
  ca?: CaAdmin;
  /** Resources, snapshots and proxy status; absent in tests that run no distribution. */
  distribution?: ConfigDistributor;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** A path with at most one `:id` parameter. */
  path: string;
  handle(ctx: AdminContext, body: unknown, params: { id?: string }): Promise<{ status: number; body: unknown }>;
}

const ok = (body: unknown, status = 200) => ({ status, body });

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ControlError('MG_CONTROL_BAD_REQUEST', 'the request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/v1/status', handle: async (ctx) => ok(ctx.status()) },
  {
    method: 'POST', path: '/v1/tokens',
    handle: async (ctx, body) => {
      const b = asObject(body);
      const created = await ctx.tokens.create({
        namespace: b.namespace as string, serviceAccount: b.serviceAccount as string,
        kind: b.kind as 'join' | 'local' | undefined, ttlSeconds: b.ttlSeconds as number | undefined,
      });
      return ok({ ...created, spiffeId: defaultSpiffeId(ctx.trustDomain, created.namespace, created.serviceAccount) }, 201);
    },
  },
  { method: 'GET', path: '/v1/tokens', handle: async (ctx) => ok({ items: await ctx.tokens.list() }) },
  { method: 'DELETE', path: '/v1/tokens/:id', handle: async (ctx, _b, p) => (await ctx.tokens.revoke(p.id ?? ''), ok({ revoked: p.id })) },
  {
    method: 'POST', path: '/v1/entries',
    handle: async (ctx, body) => {
      const b = asObject(body);
      return ok(await ctx.entries.create({ spiffeId: b.spiffeId as string, selectors: b.selectors as string[] }), 201);
    },
  },
  { method: 'GET', path: '/v1/entries', handle: async (ctx) => ok({ items: await ctx.entries.list() }) },
  { method: 'DELETE', path: '/v1/entries/:id', handle: async (ctx, _b, p) => (await ctx.entries.delete(p.id ?? ''), ok({ deleted: p.id })) },
  ...CA_ADMIN_ROUTES,
  ...CONFIG_ADMIN_ROUTES,
];

/** The route for a method and path, with its `:id`. */
export function findRoute(method: string, path: string): { route: Route; params: { id?: string } } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    if (route.path === path) return { route, params: {} };
    const prefix = route.path.endsWith('/:id') ? route.path.slice(0, -3) : undefined;
    if (prefix && path.startsWith(prefix)) {
      const id = decodeURIComponent(path.slice(prefix.length));
      if (id.length > 0 && !id.includes('/')) return { route, params: { id } };
    }
  }
  return undefined;
}
