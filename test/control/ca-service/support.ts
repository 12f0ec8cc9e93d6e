/**
 * A real control plane in a temp data directory (in this process, loopback
 * only), with its log captured, a movable clock, and helpers to mint tokens,
 * make CSRs with OpenSSL and talk to the CA API.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { caClient, type CaClient, type CaClientOptions } from '../../../src/control/ca-api/client.js';
import { startControlPlane, type ControlPlaneOptions, type RunningControlPlane } from '../../../src/control/control-plane.js';

export interface TestControlPlane {
  cp: RunningControlPlane;
  dataDir: string;
  rootPem: () => string;
  logs: () => string;
  clock: { now: () => number; advance(ms: number): void };
  client(options?: Partial<CaClientOptions>): CaClient;
  token(namespace: string, serviceAccount: string, kind?: 'join' | 'local', ttlSeconds?: number): Promise<{ id: string; token: string }>;
  stop(): Promise<void>;
}

/** @example const t = await startTestControlPlane(); const svid = await t.client().sign({ … }); await t.stop(); */
export async function startTestControlPlane(extra: Partial<ControlPlaneOptions> = {}): Promise<TestControlPlane> {
  const root = mkdtempSync(join(tmpdir(), 'mg-ca-'));
  const dataDir = join(root, 'data');
  let lines = '';
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines += chunk.toString(); done(); } });
  let offset = 0;
  const clock = { now: () => Date.now() + offset, advance: (ms: number) => { offset += ms; } };
  const cp = await startControlPlane({ dataDir, trustDomain: 'cluster.local', version: 'test', log: pino({ level: 'info' }, sink), clock, ...extra });
  const clients: CaClient[] = [];
  const rootPem = () => readFileSync(join(dataDir, 'ca', 'root-cert.pem'), 'utf8');
  return {
    cp, dataDir, rootPem, clock, logs: () => lines,
    client(options = {}) {
      const c = caClient({ address: cp.state.caAddress!, rootPem: rootPem(), deadlineMs: 5000, ...options });
      clients.push(c);
      return c;
    },
    async token(namespace, serviceAccount, kind = 'join', ttlSeconds) {
      const t = await cp.tokens.create({ namespace, serviceAccount, kind, ...(ttlSeconds ? { ttlSeconds } : {}) });
      return { id: t.id, token: t.token };
    },
    async stop() {
      for (const c of clients) c.close();
      await cp.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
