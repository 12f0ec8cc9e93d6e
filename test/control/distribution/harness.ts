/**
 * A control plane for distribution tests, in this process: a SQLite store in a
 * temp data directory, distribution with its stream on loopback, and an admin
 * socket serving the config routes and `/v1/status` (with control-plane.json),
 * so the real CLI finds it. The stream is the production one: mTLS with a
 * control-plane SVID from the test file's mesh CA (`pki.ts`); `dialer()` gives
 * a proxy of the mesh a matching SVID. Stop and start it again on the same
 * directory and stream address to test a restart.
 */
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { CONFIG_ADMIN_ROUTES } from '../../../src/control/admin/config-routes.js';
import { startDistribution, type RunningDistribution } from '../../../src/control/distribution/index.js';
import { ControlError } from '../../../src/control/errors.js';
import { ADMIN_SOCKET, removeStateFile, writeStateFile } from '../../../src/control/state-file.js';
import { openSqliteStore } from '../../../src/control/store/sqlite.js';
import type { Store } from '../../../src/control/store/store.js';
import type { ServingIdentity } from '../../../src/control/ca-service/serving-identity.js';
import type { StreamDialer } from '../../../src/proxy/config-client/index.js';
import { meshCa, proxyDialer, servingIdentity } from './pki.js';

export interface TestControlPlane {
  dataDir: string;
  store: Store;
  dist: RunningDistribution;
  streamAddress: string;
  serving: ServingIdentity;
  /** A dialer for a proxy of `namespace` whose SVID names `serviceAccount`. */
  dialer(namespace: string, serviceAccount: string): Promise<StreamDialer>;
  stop(): Promise<void>;
}

export async function startTestControlPlane(dataDir: string, opts: { streamListen?: string; now?: () => number; serving?: ServingIdentity; log?: Logger } = {}): Promise<TestControlPlane> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const store = openSqliteStore(join(dataDir, 'meshguard.db'));
  const log = opts.log ?? pino({ level: 'silent' });
  const serving = opts.serving ?? await servingIdentity(await meshCa());
  const dist = await startDistribution({ store, trustDomain: 'cluster.local', log, serving, listen: opts.streamListen ?? '127.0.0.1:0', ...(opts.now ? { now: opts.now } : {}) });
  const ctx = { distribution: dist.distributor };
  const socketPath = join(dataDir, ADMIN_SOCKET);
  await rm(socketPath, { force: true });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void (async () => {
      const send = (status: number, body: unknown) => { res.writeHead(status, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
      try {
        if (req.url === '/v1/status') return send(200, { ready: true });
        const route = CONFIG_ADMIN_ROUTES.find((r) => r.method === req.method && r.path === req.url);
        if (!route) return send(404, { error: { code: 'MG_CONTROL_NOT_FOUND', message: 'no route' } });
        const body = req.method === 'POST' ? JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown : undefined;
        const out = await route.handle(ctx as never, body, {});
        send(out.status, out.body);
      } catch (err) {
        const known = err instanceof ControlError;
        send(known ? err.status : 500, { error: { code: known ? err.code : 'MG_CONTROL_INTERNAL', message: known ? err.message : String(err) } });
      }
    })());
  });
  await new Promise<void>((done) => server.listen(socketPath, done));
  await writeStateFile(dataDir, {
    pid: process.pid, version: 'test', trustDomain: 'cluster.local', caAddress: null, adminSocket: socketPath, startedAt: new Date().toISOString(),
  });
  return {
    dataDir, store, dist, streamAddress: dist.streamAddress, serving,
    dialer: async (namespace, serviceAccount) => (await proxyDialer(dist.streamAddress, namespace, serviceAccount)).dialer,
    async stop() {
      await removeStateFile(dataDir, process.pid);
      await new Promise<void>((done) => { server.close(() => done()); server.closeAllConnections(); });
      await dist.close();
      await store.close();
    },
  };
}
