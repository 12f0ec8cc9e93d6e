/**
 * One sidecar, assembled: identity first (attest with the local token, get an
 * X.509-SVID, renew it), then configuration (the first snapshot from the
 * control plane's stream), then the inbound listeners, the app's outbound HTTP
 * proxy, the Workload API socket and the admin port. Ready (`/healthz/ready`)
 * once it holds an SVID and a snapshot; later snapshots are ACKed or NACKed and
 * the last good one keeps serving while the control plane is away.
 */
import { mkdir, rm, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createAdminServer } from '../../proxy/admin/index.js';
import { stdoutAccessLogger, type AccessLogFormat } from '../../proxy/access-log/access-logger.js';
import { ConfigClient, mtlsDialer, type StreamDialer } from '../../proxy/config-client/index.js';
// The modules, not proxy/identity's index: that one also exports the in-process CA, which loads the whole CA library.
import { createIdentityClient, type IdentityClient } from '../../proxy/identity/identity-client.js';
import { secretsHandler } from '../../proxy/identity/secrets-handler.js';
import { createInboundProxy, type InboundProxy } from '../../proxy/inbound/index.js';
import type { ProxySnapshot } from '../../proxy/model.js';
import { createTlsContextManager } from '../../proxy/tls/index.js';
import { controlPlaneSpiffeId } from '../../wire/index.js';
import { createOutboundProxy, type OutboundProxy } from '../../proxy/outbound/index.js';
import { startWorkloadApiServer, type WorkloadApiServer } from '../../proxy/workload-api/index.js';
import { grpcCaApi } from './ca-api-adapter.js';
import { discoveringDialer, type DiscoverControlPlane } from './control-plane-discovery.js';

export interface SidecarOptions {
  workload: { namespace: string; name: string };
  /** From `control-plane.json`. */
  caAddress: string;
  configAddress: string;
  /** Roots trusted on first contact with the CA. */
  rootPem: string;
  /** Local attestation token minted by `meshguard up` (never logged). */
  token: string;
  /** The workload's own loopback address: inbound listeners, outbound source, admin. */
  address: string;
  /** Where the app listens; inbound forwards there. */
  appAddress: string;
  outboundPort: number;
  adminPort: number;
  /** `<dataDir>/proxies`: key file, state file and Workload API socket live under it. */
  stateDir: string;
  log: Logger;
  accessLogFormat?: AccessLogFormat;
  /** Re-reads the control plane's addresses before each reconnect (it may have restarted on new ports). */
  discover?: DiscoverControlPlane;
}

export interface RunningSidecar {
  adminAddress: string;
  outboundAddress: string;
  close(): Promise<void>;
}

/** State that readers (`proxy-config`, `exec`, `up`) find in `<stateDir>/<ns>.<name>.json`. */
export interface SidecarStateFile {
  pid: number;
  address: string;
  adminAddress: string;
  outboundAddress: string;
  workloadApiSocket: string;
}

/**
 * @example
 * const sidecar = await startSidecar({ workload: { namespace: 'istioinaction', name: 'webapp' }, caAddress, configAddress,
 *   rootPem, token, address: '127.77.1.1', appAddress: '127.78.1.1', outboundPort: 15001, adminPort: 15021, stateDir, log });
 */
export async function startSidecar(o: SidecarOptions): Promise<RunningSidecar> {
  const id = `${o.workload.namespace}.${o.workload.name}`;
  await mkdir(o.stateDir, { recursive: true, mode: 0o700 });
  const discover = o.discover;
  const ca = grpcCaApi({
    address: o.caAddress, rootPem: o.rootPem,
    ...(discover ? { discover: async () => (await discover())?.caAddress ?? undefined } : {}),
  });
  const identity = createIdentityClient({
    ca, log: o.log, keyFile: join(o.stateDir, `${id}.key`),
    attestation: { type: 'local', evidence: { token: o.token, namespace: o.workload.namespace } },
  });
  const closers: (() => Promise<void> | void)[] = [() => ca.close(), () => identity.close()];
  const close = async () => {
    for (const c of closers.reverse()) await c();
    await rm(join(o.stateDir, `${id}.json`), { force: true });
  };
  try {
    await identity.start();
    o.log.info({ spiffeId: identity.current().spiffeId }, 'X.509-SVID issued');
    const dataPlane = await startDataPlane(o, identity, closers);
    const admin = createAdminServer({
      host: o.address, port: o.adminPort, metrics: dataPlane.inbound.metrics,
      ready: () => dataPlane.config.current() !== null,
      routes: { '/secrets': secretsHandler(identity), '/config': (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(dataPlane.config.status())}\n`) },
    });
    const adminPort = await admin.listen();
    closers.push(() => admin.close());
    const workloadApiSocket = join(o.stateDir, 'sockets', id, 'agent.sock');
    const workloadApi: WorkloadApiServer = await startWorkloadApiServer({ socketPath: workloadApiSocket, ca, proxy: identity, log: o.log });
    closers.push(() => workloadApi.close());
    const state: SidecarStateFile = {
      pid: process.pid, address: o.address, adminAddress: `${o.address}:${adminPort}`,
      outboundAddress: `${o.address}:${dataPlane.outboundPort}`, workloadApiSocket,
    };
    await writeAtomically(join(o.stateDir, `${id}.json`), `${JSON.stringify(state, null, 2)}\n`);
    return { adminAddress: state.adminAddress, outboundAddress: state.outboundAddress, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Subscribes to the configuration stream and starts inbound and outbound on the
 * first snapshot; every later snapshot is compiled by both sides before it is
 * ACKed, and refused (NACK, old one kept) if inbound cannot compile it.
 */
async function startDataPlane(o: SidecarOptions, identity: IdentityClient, closers: (() => Promise<void> | void)[]) {
  // Filled once the first snapshot has started both sides; until then snapshots only resolve `firstSnapshot`.
  const sides: { inbound?: InboundProxy; outbound?: OutboundProxy } = {};
  let first: (s: ProxySnapshot) => void;
  let latest: ProxySnapshot | undefined;
  const firstSnapshot = new Promise<ProxySnapshot>((resolve) => (first = resolve));
  const config = new ConfigClient({
    dialer: configDialer(o, identity, closers),
    workload: { namespace: o.workload.namespace, name: o.workload.name },
    onSnapshot: (s) => {
      if (!sides.inbound || !sides.outbound) {
        // Still starting: the newest one wins once both sides exist (see below).
        latest = s;
        first(s);
        return { ok: true };
      }
      const verdict = sides.inbound.updateSnapshot(s);
      if (!verdict.ok) return { ok: false, error: `${verdict.error.code}: ${verdict.error.message}` };
      sides.outbound.updateSnapshot(s);
      o.log.info({ version: s.version }, 'configuration updated');
      return { ok: true };
    },
    onEvent: (e) => o.log.info({ event: e.type, detail: e.detail }, 'configuration stream'),
  });
  config.start();
  closers.push(() => config.close());
  const snapshot = await firstSnapshot;
  const accessLog = stdoutAccessLogger(o.accessLogFormat ?? 'text');
  const inbound = createInboundProxy({
    snapshot, identity, accessLog, log: o.log,
    ports: (snapshot.workload.ports ?? []).map((p) => ({
      port: p.port, listenHost: o.address, targetHost: o.appAddress, targetPort: p.port, protocol: p.protocol ?? 'http',
    })),
  });
  await inbound.listen();
  closers.push(() => inbound.close());
  const outbound = createOutboundProxy({
    snapshot, identity, tls: inbound.tls, accessLog, log: o.log, sourceAddress: o.address,
    listen: { host: o.address, port: o.outboundPort },
  });
  const outboundPort = await outbound.listen();
  closers.push(() => outbound.close());
  Object.assign(sides, { inbound, outbound });
  if (latest && latest !== snapshot) {
    inbound.updateSnapshot(latest);
    outbound.updateSnapshot(latest);
  }
  o.log.info({ version: snapshot.version, ports: snapshot.workload.ports?.map((p) => p.port) }, 'sidecar serving');
  return { inbound, outbound, config, outboundPort };
}

/**
 * The stream's dialer: mTLS with the SVID the identity client holds (so it must come
 * after `identity.start()`), accepting only the control plane of the SVID's trust domain.
 */
function configDialer(o: SidecarOptions, identity: IdentityClient, closers: (() => Promise<void> | void)[]): StreamDialer {
  const tls = createTlsContextManager(identity);
  closers.push(() => tls.close());
  const serverId = controlPlaneSpiffeId(identity.bundle().trustDomain);
  const at = (address: string) => mtlsDialer(address, { tls, serverId });
  return o.discover ? discoveringDialer(o.configAddress, o.discover, at) : at(o.configAddress);
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}
