/**
 * `GET /secrets` on the proxy's admin server: the secret table as JSON
 * (`{ secrets: SecretRow[] }`), certificates as PEM, never the key. The admin server
 * mounts it; it answers only GET.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IdentitySource } from '../model.js';
import { secretsView } from './secrets-view.js';

/**
 * @example adminRoutes.set('/secrets', secretsHandler(identity));
 */
export function secretsHandler(source: IdentitySource, clock: () => Date = () => new Date()): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'MG_ADMIN_METHOD', message: 'use GET' } }));
      return;
    }
    let body: string;
    try {
      body = JSON.stringify({ secrets: secretsView(source.current(), clock()) });
    } catch (err) {
      // Not ready yet (no SVID): say so with the code, never with certificate contents.
      const code = (err as { code?: string }).code ?? 'MG_IDENTITY_NOT_READY';
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code, message: 'no workload certificate yet' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
  };
}
