/**
 * The admin API server: JSON over HTTP on a Unix socket (`admin.sock`, 0600,
 * in a 0700 data directory), as SPIRE's server serves its admin commands.
 */
import { chmod, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ControlError } from '../errors.js';
import { type AdminContext, findRoute } from './routes.js';

/** Admin requests are small; anything bigger is a mistake or an attack. */
// `apply -f dir/` sends a whole manifest folder in one request.
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * Listens on `socketPath` (replacing a stale socket file) and resolves once ready.
 *
 * @example
 *   const server = await serveAdmin('.meshguard/admin.sock', { tokens, entries, status }, logger);
 */
export async function serveAdmin(socketPath: string, ctx: AdminContext, log: Logger): Promise<Server> {
  const server = createServer((req, res) => void handle(ctx, log, req, res));
  // The caller has checked no live control plane owns the socket; a leftover file is from a crash.
  await rm(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  await chmod(socketPath, 0o600);
  return server;
}

async function handle(ctx: AdminContext, log: Logger, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://admin').pathname;
  try {
    const found = findRoute(req.method ?? '', path);
    if (!found) throw new ControlError('MG_CONTROL_NOT_FOUND', `no admin route ${req.method} ${path}`);
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    const out = await found.route.handle(ctx, body, found.params);
    send(res, out.status, out.body);
    log.info({ method: req.method, path: found.route.path, status: out.status }, 'admin request');
  } catch (err) {
    const known = err instanceof ControlError;
    const status = known ? err.status : 500;
    // Unknown failures are logged in full here and reported without detail, so no internals reach the client.
    if (!known) log.error({ err, method: req.method, path }, 'admin request failed');
    else log.info({ method: req.method, path, code: err.code, status }, 'admin request refused');
    send(res, status, { error: known ? { code: err.code, message: err.message } : { code: 'MG_CONTROL_INTERNAL', message: 'internal error; see the control plane log' } });
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ControlError('MG_CONTROL_BAD_REQUEST', `the request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ControlError('MG_CONTROL_BAD_REQUEST', 'the request body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
