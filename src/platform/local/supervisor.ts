/**
 * `meshguard up`'s engine: a fresh control plane, one sidecar per meshed
 * Workload, the apps (each once its sidecar is ready), a legacy forwarder per
 * workload without a sidecar, then `up.json`. `stop()` undoes it in reverse.
 *
 * The control plane runs in this process, not as a child: `up` owns its store
 * (it clears the earlier run's resources before anything can read them and
 * mints each sidecar's local token by a direct call), it starts without a
 * second TypeScript loader (about a second less), and it cannot outlive `up`
 * even when `up` is SIGKILLed. Sidecars and apps are children under watchdogs.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MeshConfig, Resource, Service } from '../../config/kinds.js';
import { startControlPlane, type RunningControlPlane } from '../../control/control-plane.js';
import { toEndpoint } from '../../control/distribution/snapshot.js';
import { toDocument } from '../../control/distribution/resource-records.js';
import { MAX_TOKEN_TTL_SECONDS } from '../../control/tokens/token-service.js';
import type { Workload } from '../../config/kinds.js';
import { LocalMeshError, LOCAL_ERROR_CODES } from './errors.js';
import { LOGS_DIR, prepareFreshStart } from './fresh-start.js';
import { startLegacyForwarder, type LegacyForwarder } from './legacy-forwarder.js';
import { planMesh, withoutProxyVariables, workloadEnv, type PlannedWorkload } from './mesh-plan.js';
import { freePort, waitForFreeAddresses } from './ports.js';
import { APP_READY_TIMEOUT_MS, httpReady, listening, SIDECAR_READY_TIMEOUT_MS, waitReady } from './readiness.js';
import { withSidecarNodeFlags } from './sidecar-flags.js';
import { startSupervised, type SupervisedProcess } from './supervised-process.js';
import { removeUpState, writeUpState, type UpState, type UpWorkload } from './up-state.js';

export interface LocalMeshOptions {
  dataDir: string;
  resources: readonly Resource[];
  /** Present when the inputs held a mesh config; sent with the resources. */
  mesh?: MeshConfig;
  trustDomain: string;
  version: string;
  /** The sidecar command without flags: `[node, …, main.js, 'proxy']`; the contract's flags are appended. */
  sidecarCommand: readonly string[];
  /** Flags for the sidecar's `node` when `sidecarCommand` runs Node (default `SIDECAR_NODE_FLAGS`). */
  sidecarNodeFlags?: readonly string[];
  /** Where apps run (relative paths in `command` are relative to it). */
  cwd: string;
  /** The control plane's logger (up writes it to `logs/control-plane.log`). */
  log: Logger;
  /** Progress lines (`starting sidecar istioinaction/webapp`). */
  progress: (line: string) => void;
  /** Each output line of an app, prefixed by the caller. */
  appOutput: (ref: string, line: string) => void;
  sidecarReadyTimeoutMs?: number;
  appReadyTimeoutMs?: number;
  /** SIGTERM → SIGKILL delay for each child. */
  graceMs?: number;
}

export interface RunningMesh {
  readonly state: UpState;
  readonly workloads: readonly PlannedWorkload[];
  /** Warnings worth showing (a missing apply route…). */
  readonly warnings: readonly string[];
  /** Stops apps, sidecars, forwarders and the control plane, in that order; idempotent. */
  stop(): Promise<void>;
}

interface Started {
  cp?: RunningControlPlane;
  sidecars: SupervisedProcess[];
  apps: SupervisedProcess[];
  forwarders: LegacyForwarder[];
  logs: WriteStream[];
  stopping: boolean;
}

/**
 * Starts a local mesh; on any failure stops what it started and throws.
 *
 * @example
 * const mesh = await startLocalMesh({ dataDir, resources, trustDomain: 'cluster.local', sidecarCommand, … });
 * process.once('SIGTERM', () => void mesh.stop());
 */
export async function startLocalMesh(opts: LocalMeshOptions): Promise<RunningMesh> {
  const plan = planMesh(opts.resources, opts.trustDomain);
  const fresh = await prepareFreshStart(opts.dataDir);
  if (fresh.tookOverFrom !== null) opts.progress(`took over ${opts.dataDir} from an earlier run (pid ${fresh.tookOverFrom}) that is gone`);
  if (fresh.droppedResources > 0) opts.progress(`dropped ${fresh.droppedResources} resource(s) applied during an earlier run`);
  await waitForFreeAddresses(plan.workloads.flatMap((w) => w.ports.flatMap((p) => [
    ...(w.sidecar ? [{ host: w.address, port: p.port, owner: `${w.ref} sidecar` }] : []),
    { host: w.appAddress, port: p.port, owner: w.ref },
  ])));
  const started: Started = { sidecars: [], apps: [], forwarders: [], logs: [], stopping: false };
  const stop = once(() => stopAll(started, opts));
  try {
    opts.progress('starting the control plane');
    started.cp = await startControlPlane({ dataDir: opts.dataDir, trustDomain: opts.trustDomain, version: opts.version, log: opts.log });
    const warnings = await applyResources(started.cp, plan.resources, opts.mesh);
    for (const w of warnings) opts.progress(`warning: ${w}`);
    const upWorkloads = await Promise.all(plan.workloads.map((w) => startWorkload(w, plan.resources, started, opts)));
    const state: UpState = { pid: process.pid, startedAt: new Date().toISOString(), workloads: upWorkloads };
    await writeUpState(opts.dataDir, state);
    return { state, workloads: plan.workloads, warnings, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Sends the resources through the admin API's apply route, as `meshguard apply` does. */
async function applyResources(cp: RunningControlPlane, resources: readonly Resource[], mesh: MeshConfig | undefined): Promise<string[]> {
  if (resources.length === 0 && !mesh) return [];
  const answer = await adminPost(cp.state.adminSocket, '/v1/config/apply', { resources: resources.map(toDocument), ...(mesh ? { mesh } : {}) });
  // Until config distribution is wired into the control plane there is no such route: say so, keep going.
  if (answer.status === 404) return ['the control plane has no /v1/config/apply route yet: resources were not applied, sidecars get no policy'];
  if (answer.status >= 400) {
    const error = (answer.body as { error?: { code?: string; message?: string } }).error;
    throw new LocalMeshError(LOCAL_ERROR_CODES.badConfig, `the control plane refused the resources: ${error?.code ?? answer.status} ${error?.message ?? ''}`.trim());
  }
  return [];
}

/** One JSON POST on the admin socket (the CLI's client lives above this layer). */
function adminPost(socketPath: string, path: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let parsed: unknown = {};
        try { parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { /* not JSON: status decides */ }
        resolve({ status: res.statusCode ?? 500, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`the admin socket did not answer ${path} within 10 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

async function startWorkload(w: PlannedWorkload, resources: readonly Resource[], started: Started, opts: LocalMeshOptions): Promise<UpWorkload> {
  const proxyUrl = w.sidecar ? await startSidecar(w, started, opts) : await startForwarder(w, resources, started, opts);
  if (w.command) await startApp(w, proxyUrl, started, opts);
  return {
    namespace: w.namespace, name: w.name, serviceAccount: w.serviceAccount, sidecar: w.sidecar,
    address: w.address, appAddress: w.appAddress, proxyUrl, spiffeId: w.spiffeId,
  };
}

async function startSidecar(w: PlannedWorkload, started: Started, opts: LocalMeshOptions): Promise<string> {
  const cp = started.cp;
  if (!cp) throw new TypeError('the control plane must run before sidecars');
  const token = await cp.tokens.create({ namespace: w.namespace, serviceAccount: w.serviceAccount, kind: 'local', ttlSeconds: MAX_TOKEN_TTL_SECONDS });
  // Handed over in a 0600 file, not argv: a command line is readable by every user through `ps`.
  const tokenFile = await writeTokenFile(opts.dataDir, w, token.token);
  const [outboundPort, adminPort] = [await freePort(w.address), await freePort(w.address)];
  opts.progress(`starting sidecar ${w.ref} on ${w.address} (${w.spiffeId})`);
  const logFile = openLog(started, opts.dataDir, `${w.namespace}.${w.name}.sidecar.log`);
  const sidecar = startSupervised({
    label: `sidecar ${w.ref}`, env: withoutProxyVariables(process.env), cwd: opts.cwd, graceMs: opts.graceMs ?? 3000,
    command: [...withSidecarNodeFlags(opts.sidecarCommand, opts.sidecarNodeFlags), '--data-dir', opts.dataDir, '--workload', w.ref, '--token-file', tokenFile,
      '--address', w.address, '--app-address', w.appAddress, '--outbound-port', String(outboundPort), '--admin-port', String(adminPort)],
    onLine: (line) => logFile.write(`${line}\n`),
  });
  started.sidecars.push(sidecar);
  reportUnexpectedExit(sidecar, started, opts);
  await waitReady(sidecar, httpReady(`http://${w.address}:${adminPort}/healthz/ready`), opts.sidecarReadyTimeoutMs ?? SIDECAR_READY_TIMEOUT_MS, 'ready');
  opts.progress(`sidecar ${w.ref} ready`);
  return `http://${w.address}:${outboundPort}`;
}

async function startForwarder(w: PlannedWorkload, resources: readonly Resource[], started: Started, opts: LocalMeshOptions): Promise<string> {
  const services = resources.filter((r): r is Service => r.kind === 'Service');
  const endpoints = resources.filter((r): r is Workload => r.kind === 'Workload').map((r) => toEndpoint(r, opts.trustDomain));
  const logFile = openLog(started, opts.dataDir, `${w.namespace}.${w.name}.forwarder.log`);
  const fwd = await startLegacyForwarder({ namespace: w.namespace, address: w.address, services, endpoints, onLog: (l) => logFile.write(`${l}\n`) });
  started.forwarders.push(fwd);
  opts.progress(`${w.ref} has no sidecar: plain forwarder on ${fwd.url}`);
  return fwd.url;
}

async function startApp(w: PlannedWorkload, proxyUrl: string, started: Started, opts: LocalMeshOptions): Promise<void> {
  const command = w.command ?? [];
  const port = w.ports[0]?.port;
  opts.progress(`starting ${w.ref}: ${command.join(' ')}`);
  const logFile = openLog(started, opts.dataDir, `${w.namespace}.${w.name}.log`);
  const app = startSupervised({
    label: w.ref, command, cwd: opts.cwd, graceMs: opts.graceMs ?? 3000,
    env: workloadEnv(process.env, proxyUrl, { HOST: w.appAddress, ...(port ? { PORT: String(port) } : {}) }, w.env),
    onLine: (line) => { logFile.write(`${line}\n`); opts.appOutput(w.ref, line); },
  });
  started.apps.push(app);
  reportUnexpectedExit(app, started, opts);
  if (port) await waitReady(app, listening(w.appAddress, port), opts.appReadyTimeoutMs ?? APP_READY_TIMEOUT_MS, `listening on ${w.appAddress}:${port}`);
}

function openLog(started: Started, dataDir: string, name: string): WriteStream {
  const stream = createWriteStream(join(dataDir, LOGS_DIR, name), { flags: 'a', mode: 0o600 });
  started.logs.push(stream);
  return stream;
}

/** A child that dies while the mesh runs is reported, not restarted: the rest keeps running, as with docker compose. */
function reportUnexpectedExit(child: SupervisedProcess, started: Started, opts: LocalMeshOptions): void {
  void child.exited.then((code) => {
    if (!started.stopping) opts.progress(`${child.label} exited with code ${code} (its log is in ${join(opts.dataDir, LOGS_DIR)})`);
  });
}

async function stopAll(started: Started, opts: LocalMeshOptions): Promise<void> {
  started.stopping = true;
  if (started.apps.length > 0) opts.progress('stopping apps');
  await Promise.all(started.apps.map((p) => p.stop()));
  if (started.sidecars.length > 0) opts.progress('stopping sidecars');
  await Promise.all(started.sidecars.map((p) => p.stop()));
  await Promise.all(started.forwarders.map((f) => f.close()));
  if (started.cp) {
    opts.progress('stopping the control plane');
    await started.cp.close();
  }
  await removeUpState(opts.dataDir, process.pid);
  await Promise.all(started.logs.map((s) => new Promise<void>((r) => s.end(() => r()))));
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}

async function writeTokenFile(dataDir: string, w: PlannedWorkload, token: string): Promise<string> {
  const dir = join(dataDir, 'proxies');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${w.namespace}.${w.name}.token`);
  await writeFile(file, token, { mode: 0o600 });
  await chmod(file, 0o600); // an existing file keeps its mode on writeFile
  return file;
}
