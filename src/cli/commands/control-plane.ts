/**
 * `meshguard control-plane`: runs the control plane in the foreground until
 * SIGINT/SIGTERM. Settings: flags > `--config` file > defaults (none needed).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { startControlPlane } from '../../control/control-plane.js';
import { MeshguardError } from '../../errors.js';
import { packageVersion } from '../../package-root.js';
import { resolveDataDir } from '../control-client.js';

/** Kubernetes' and Istio's default trust domain, so principals read `cluster.local/ns/<ns>/sa/<sa>` out of the box. */
export const DEFAULT_TRUST_DOMAIN = 'cluster.local';
/** A free port on loopback: nothing is exposed beyond this machine unless `--listen` says so. */
export const DEFAULT_LISTEN = '127.0.0.1:0';

const KEY_ALGORITHMS = ['ec-p256', 'ec-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;

const ConfigFile = z.strictObject({
  trustDomain: z.string().optional(),
  listen: z.string().optional(),
  bundleListen: z.string().optional(),
  caDir: z.string().optional(),
  caKeyAlgorithm: z.enum(KEY_ALGORITHMS).optional(),
  dataDir: z.string().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).optional(),
  svidTtl: z.string().optional(),
});

interface Flags {
  trustDomain?: string;
  listen?: string;
  bundleListen?: string;
  caDir?: string;
  caKeyAlgorithm?: string;
  dataDir?: string;
  config?: string;
  logLevel?: string;
  svidTtl?: string;
}

export function register(program: Command): void {
  program
    .command('control-plane')
    .description('run the control plane (store, attestation, CA API, bundle endpoint, admin socket) in the foreground')
    .option('--trust-domain <domain>', `SPIFFE trust domain (default ${DEFAULT_TRUST_DOMAIN})`)
    .option('--listen <host:port>', `CA API address (default ${DEFAULT_LISTEN}, a free loopback port)`)
    .option('--bundle-listen <host:port>', 'SPIFFE bundle endpoint address (default: the CA API host, a free port)')
    .option('--ca-dir <dir>', 'plug in a CA: an Istio cacerts directory (ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem) or cert-manager secret files (tls.crt, tls.key)')
    .option('--ca-key-algorithm <alg>', `key of a self-managed root: ${KEY_ALGORITHMS.join('|')} (default ec-p256)`)
    .option('--data-dir <dir>', 'data directory (default $MESHGUARD_DIR or ./.meshguard)')
    .option('--config <file>', 'YAML file with trustDomain, listen, dataDir, logLevel, bundleListen, caDir, caKeyAlgorithm, svidTtl')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace (default info)')
    .option('--svid-ttl <duration>', 'lifetime of X.509-SVIDs: 30s, 10m, 24h (default 24h); proxies renew at about half of it')
    .action(async (flags: Flags) => run(flags));
}

async function run(flags: Flags): Promise<void> {
  const file = flags.config ? readConfig(flags.config) : {};
  const trustDomain = flags.trustDomain ?? file.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  const listen = checkListen(flags.listen ?? file.listen ?? DEFAULT_LISTEN);
  const dataDir = resolveDataDir(flags.dataDir ?? file.dataDir);
  const log = pino({ name: 'meshguard-control-plane', level: flags.logLevel ?? file.logLevel ?? 'info' });
  log.info({ dataDir, trustDomain }, 'starting control plane');
  const bundleListen = flags.bundleListen ?? file.bundleListen;
  const caDir = flags.caDir ?? file.caDir;
  const caKeyAlgorithm = checkKeyAlgorithm(flags.caKeyAlgorithm ?? file.caKeyAlgorithm);
  const svidTtl = flags.svidTtl ?? file.svidTtl;
  const svidTtlMs = svidTtl === undefined ? undefined : parseSvidTtl(svidTtl);
  const cp = await startControlPlane({
    dataDir, trustDomain, version: packageVersion(), log, listen,
    ...(bundleListen ? { bundleListen: checkListen(bundleListen) } : {}),
    ...(caDir ? { caDir: resolve(caDir) } : {}), ...(caKeyAlgorithm ? { caKeyAlgorithm } : {}),
    ...(svidTtlMs ? { svidTtlMs } : {}),
  });
  log.info({ adminSocket: cp.state.adminSocket, caAddress: cp.state.caAddress, bundleEndpoint: cp.ca.bundleUrl }, 'control plane ready');
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      void cp.close().then(done, (err: unknown) => { log.error({ err }, 'shutdown failed'); process.exitCode = 1; done(); });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  log.info('stopped');
}

function readConfig(path: string): z.infer<typeof ConfigFile> {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new MeshguardError('MG_CONFIG_UNREADABLE', `cannot read ${path}: ${(err as Error).message}`);
  }
  const parsed = ConfigFile.safeParse(raw ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ');
    throw new MeshguardError('MG_CONFIG_INVALID', `${path}: ${problems} (allowed keys: trustDomain, listen, dataDir, logLevel, bundleListen, caDir, caKeyAlgorithm, svidTtl)`);
  }
  return parsed.data;
}

function checkKeyAlgorithm(value: string | undefined): (typeof KEY_ALGORITHMS)[number] | undefined {
  if (value === undefined) return undefined;
  const found = KEY_ALGORITHMS.find((a) => a === value);
  if (!found) throw new MeshguardError('MG_CLI_BAD_KEY_ALGORITHM', `--ca-key-algorithm must be one of ${KEY_ALGORITHMS.join(', ')}, not "${value}"`);
  return found;
}

/** SVIDs shorter than this would have proxies renew several times a second. */
const MIN_SVID_TTL_MS = 2000;

/** `8s`, `10m`, `24h` or `1d` → milliseconds; at least 2 s. @example parseSvidTtl('8s') // 8000 */
export function parseSvidTtl(value: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(value.trim());
  const ms = m ? Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'] : NaN;
  if (!(ms >= MIN_SVID_TTL_MS)) throw new MeshguardError('MG_CLI_BAD_SVID_TTL', `--svid-ttl must be a duration of at least 2s such as 30s, 10m or 24h, not "${value}"`);
  return ms;
}

function checkListen(value: string): string {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  if (!m || Number(m[2]) > 65535) throw new MeshguardError('MG_CLI_BAD_LISTEN', `--listen must be host:port (e.g. 127.0.0.1:8443), not "${value}"`);
  return value;
}
