/**
 * Real processes on loopback for the fault tests: `meshguard control-plane` and
 * `meshguard proxy` as child processes (run from source with tsx), local tokens
 * minted with `meshguard token create --kind local` into 0600 files, tiny apps in
 * this process, and real curl / openssl. Every wait is bounded.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

export const sleep = (ms: number) => new Promise<void>((t) => setTimeout(t, ms));

export interface Run { code: number; stdout: string; stderr: string }

/** Runs a command to completion (bounded by `timeout`); never rejects. */
export function run(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<Run> {
  return new Promise((done) => {
    const p = execFile(file, args, { cwd: REPO, env: opts.env ?? process.env, timeout: opts.timeout ?? 30_000, encoding: 'utf8', maxBuffer: 16 << 20 },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    p.stdin?.end();
  });
}

/** Polls `check` every 100 ms until it returns a value, or throws `what` after `ms`. */
export async function until<T>(what: string, ms: number, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** A child process whose stderr and stdout are kept for assertions and failure messages. */
export interface Child { proc: ChildProcess; output(): string; exited: Promise<number | null> }

function spawnCli(args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, [...CLI, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((done) => proc.once('exit', (code) => done(code)));
  return { proc, output: () => out, exited };
}

export interface SidecarHandle extends Child { outbound: string; admin: string; address: string }

/** One mesh in a temp data directory; `close()` kills everything it started. */
export class Mesh {
  readonly root = mkdtempSync(join(tmpdir(), 'mg-fault-'));
  readonly dataDir = join(this.root, 'data');
  readonly env: NodeJS.ProcessEnv = { ...process.env, MESHGUARD_DIR: this.dataDir, NO_COLOR: '1' };
  controlPlane: Child | undefined;
  private readonly children: Child[] = [];
  private readonly servers: Server[] = [];

  constructor(private readonly cpArgs: string[] = []) {}

  /** `meshguard <args>` against this mesh's data directory. */
  meshguard(args: string[], timeout = 30_000): Promise<Run> {
    return run(process.execPath, [...CLI, ...args], { env: this.env, timeout });
  }

  /** Starts (or restarts) the control plane; resolves once `control-plane.json` names the new process. */
  async startControlPlane(): Promise<Child> {
    const cp = spawnCli(['control-plane', '--data-dir', this.dataDir, '--log-level', 'warn', ...this.cpArgs], this.env);
    this.controlPlane = cp;
    this.children.push(cp);
    await until('the control plane', 30_000, () => {
      if (cp.proc.exitCode !== null) throw new Error(`control plane exited:\n${cp.output()}`);
      return this.controlPlaneState()?.pid === cp.proc.pid ? true : undefined;
    });
    return cp;
  }

  controlPlaneState(): { pid: number; caAddress: string; configAddress: string } | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dataDir, 'control-plane.json'), 'utf8')) as { pid: number; caAddress: string; configAddress: string };
    } catch {
      return undefined;
    }
  }

  /** `meshguard apply` of a YAML text (written to a file first); throws unless it exits 0. */
  async apply(yaml: string): Promise<Run> {
    const file = join(this.root, `apply-${Date.now()}-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    const r = await this.meshguard(['apply', '--data-dir', this.dataDir, '-f', file]);
    if (r.code !== 0) throw new Error(`apply failed: ${r.stderr}`);
    return r;
  }

  /** Mints a local token for `ns/sa` into a 0600 file; returns the file and the token's id. */
  async localToken(namespace: string, serviceAccount: string): Promise<{ file: string; id: string }> {
    const r = await this.meshguard(['token', 'create', '--kind', 'local', '-n', namespace, '--service-account', serviceAccount, '--ttl', '1h', '-o', 'json', '--data-dir', this.dataDir]);
    if (r.code !== 0) throw new Error(`token create failed: ${r.stderr}`);
    const t = JSON.parse(r.stdout) as { token: string; id: string };
    const file = join(this.root, `${namespace}.${serviceAccount}.token`);
    writeFileSync(file, t.token, { mode: 0o600 });
    return { file, id: t.id };
  }

  /** `meshguard proxy` for `ns/name` on `address`; resolves once its admin port says ready. */
  async sidecar(workload: string, tokenFile: string, address: string, appAddress: string): Promise<SidecarHandle> {
    const child = spawnCli(['proxy', '--data-dir', this.dataDir, '--workload', workload, '--token-file', tokenFile,
      '--address', address, '--app-address', appAddress, '--outbound-port', '0', '--admin-port', '0'], this.env);
    this.children.push(child);
    const stateFile = join(this.dataDir, 'proxies', `${workload.replace('/', '.')}.json`);
    const state = await until(`sidecar ${workload}`, 30_000, () => {
      if (child.proc.exitCode !== null) throw new Error(`sidecar ${workload} exited:\n${child.output()}`);
      try {
        const s = JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number; outboundAddress: string; adminAddress: string };
        return s.pid === child.proc.pid ? s : undefined;
      } catch {
        return undefined;
      }
    });
    return { ...child, outbound: state.outboundAddress, admin: state.adminAddress, address };
  }

  /** A tiny HTTP app: answers `200 <name> <path>` on `host:port`. */
  async httpApp(name: string, host: string, port: number): Promise<void> {
    const server = createServer((req, res) => res.end(`${name} ${req.url}\n`));
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, host, ok));
    this.servers.push(server);
  }

  /** Kills every child (SIGKILL: nothing of theirs should outlive the test) and removes the temp dir. */
  async close(): Promise<void> {
    for (const c of this.children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    await Promise.all(this.children.map((c) => c.exited));
    for (const s of this.servers) { s.closeAllConnections(); s.close(); }
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Real curl through `proxy` (as `http_proxy`): the status code, `000` when none. */
export async function curlStatus(proxy: string, url: string, extra: string[] = []): Promise<string> {
  const r = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', '-x', `http://${proxy}`, ...extra, url], { timeout: 10_000 });
  return r.stdout.trim();
}

/** Two workloads with sidecars and a Service for each; `server` and `client` as `{ns, name, address, appAddress, port}`. */
export interface WorkloadSpec { namespace: string; name: string; address: string; appAddress: string; port: number; protocol?: string }

/** The Workload and Service resources for `w` (service port 80 → the workload port). */
export function workloadYaml(w: WorkloadSpec): string {
  return `apiVersion: meshguard.dev/v1alpha1
kind: Workload
metadata:
  name: ${w.name}
  namespace: ${w.namespace}
  labels:
    app: ${w.name}
spec:
  serviceAccount: ${w.name}
  address: ${w.address}
  ports:
  - name: ${w.protocol ?? 'http'}
    port: ${w.port}
    protocol: ${w.protocol ?? 'http'}
---
apiVersion: v1
kind: Service
metadata:
  name: ${w.name}
  namespace: ${w.namespace}
spec:
  selector:
    app: ${w.name}
  ports:
  - name: ${w.protocol ?? 'http'}
    port: 80
    targetPort: ${w.port}
---
`;
}

/** The leaf certificate a TLS server on `host:port` presents, as `openssl x509 -noout -serial -enddate -issuer` prints it. */
export async function servedCertificate(host: string, port: number): Promise<string> {
  const r = await run('sh', ['-c', `openssl s_client -connect ${host}:${port} </dev/null 2>/dev/null | openssl x509 -noout -serial -enddate -issuer -ext subjectAltName`], { timeout: 10_000 });
  return r.stdout;
}

/** What a traffic run saw: every answer's status, and each failure with when it happened. */
export interface TrafficReport { ok: number; failures: string[]; keepAliveSockets: number }

/**
 * Sends requests to `url` through `proxy` until `stop()`: one keep-alive loop (one
 * long-lived connection, reused for every request) and one curl loop (a new
 * connection each time). Anything but `expect` is a failure. Bounded by `maxMs`.
 */
export function startTraffic(proxy: string, url: string, expect = 200, maxMs = 60_000): { stop(): Promise<TrafficReport> } {
  const report: TrafficReport = { ok: 0, failures: [], keepAliveSockets: 0 };
  const [host, port] = [proxy.slice(0, proxy.lastIndexOf(':')), Number(proxy.slice(proxy.lastIndexOf(':') + 1))];
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<unknown>();
  const deadline = Date.now() + maxMs;
  let stopping = false;
  const record = (what: string, status: number | string) => {
    if (status === expect) report.ok += 1;
    else report.failures.push(`${new Date().toISOString()} ${what}: ${status}`);
  };
  const keepAlive = (async () => {
    while (!stopping && Date.now() < deadline) {
      const status = await new Promise<number | string>((done) => {
        const req = request({ host, port, path: url, agent, headers: { host: new URL(url).host }, timeout: 5000 }, (res) => {
          res.resume();
          res.once('end', () => done(res.statusCode ?? 0));
        });
        req.once('socket', (s) => sockets.add(s));
        req.once('timeout', () => req.destroy(new Error('timeout')));
        req.once('error', (e) => done(e.message));
        req.end();
      });
      record('keep-alive', status);
      await sleep(20);
    }
  })();
  const fresh = (async () => {
    while (!stopping && Date.now() < deadline) {
      const status = await curlStatus(proxy, url);
      record('new connection', Number(status) || status);
      await sleep(50);
    }
  })();
  return {
    async stop() {
      stopping = true;
      await Promise.all([keepAlive, fresh]);
      agent.destroy();
      report.keepAliveSockets = sockets.size;
      return report;
    },
  };
}

/** The sidecar's `/secrets` (istioctl's secret view): its leaf serial and the roots it trusts. */
export async function sidecarSecrets(admin: string): Promise<{ leafSerial: string; leafPem: string; rootSerials: string[]; rootPems: string[] }> {
  const res = await fetch(`http://${admin}/secrets`);
  const { secrets } = (await res.json()) as { secrets: { resourceName: string; serialNumber: string; pem: string }[] };
  const leaf = secrets.find((s) => s.resourceName === 'default');
  const roots = secrets.filter((s) => s.resourceName === 'ROOTCA');
  return { leafSerial: leaf?.serialNumber ?? '', leafPem: leaf?.pem ?? '', rootSerials: roots.map((r) => r.serialNumber), rootPems: roots.map((r) => r.pem) };
}
