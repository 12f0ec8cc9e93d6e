/**
 * `meshguard proxy`: one sidecar in the foreground, until SIGINT/SIGTERM.
 * `meshguard up` starts one per Workload with a sidecar; run by hand it needs a
 * control plane and a local token (`meshguard token create --kind local`).
 *
 *   meshguard proxy --workload istioinaction/webapp --token-file t --address 127.77.1.1 \
 *     --app-address 127.78.1.1 --outbound-port 15001 --admin-port 15021
 */
import { readFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { readStateFile } from '../../control/state-file.js';
import { MeshguardError } from '../../errors.js';
import { meshDataDir } from '../../platform/local/running-mesh.js';
import { startSidecar } from '../../platform/sidecar/start-sidecar.js';

interface Flags {
  dataDir?: string;
  workload: string;
  tokenFile: string;
  address: string;
  appAddress: string;
  outboundPort: string;
  adminPort: string;
  accessLogFormat: string;
  logLevel: string;
}

export function register(program: Command): void {
  program
    .command('proxy')
    .description('run one sidecar: mTLS inbound in front of the app, the app\'s outbound HTTP proxy, the Workload API')
    .requiredOption('--workload <ns/name>', 'the Workload this sidecar serves')
    .requiredOption('--token-file <file>', 'file holding the local attestation token (keep it 0600)')
    .requiredOption('--address <ip>', "the workload's loopback address: inbound listeners, outbound source, admin")
    .requiredOption('--app-address <ip>', 'where the app listens (inbound forwards there)')
    .option('--outbound-port <port>', "the app's HTTP proxy port (0 = any free port)", '15001')
    .option('--admin-port <port>', 'admin port: /healthz/ready, /stats/prometheus, /secrets (0 = any free port)', '15021')
    .option('--data-dir <dir>', 'the control plane\'s data directory (default $MESHGUARD_DIR or ./.meshguard)')
    .option('--access-log-format <format>', 'text (Istio\'s default format) or json', 'text')
    .option('--log-level <level>', 'fatal|error|warn|info|debug', 'info')
    .action(async (flags: Flags) => run(flags));
}

async function run(flags: Flags): Promise<void> {
  // Not `control-client.ts`'s resolveDataDir (same rule): that module loads undici and yaml, ~15 MB of a sidecar's RSS.
  const dataDir = meshDataDir(flags.dataDir);
  const [namespace, name, extra] = flags.workload.split('/');
  if (!namespace || !name || extra !== undefined) throw new MeshguardError('MG_CLI_BAD_WORKLOAD', `--workload must be NAMESPACE/NAME, not "${flags.workload}"`);
  for (const [flag, ip] of [['--address', flags.address], ['--app-address', flags.appAddress]] as const) {
    if (!isIPv4(ip) || !ip.startsWith('127.')) throw new MeshguardError('MG_CLI_BAD_ADDRESS', `${flag} must be a loopback IPv4 address (127.0.0.0/8), not "${ip}"`);
  }
  const state = await readStateFile(dataDir);
  if (!state?.caAddress || !state.configAddress) {
    throw new MeshguardError('MG_CONTROL_NOT_RUNNING', `no control plane is running in ${dataDir} (start one with \`meshguard control-plane --data-dir ${dataDir}\`, or use \`meshguard up\`)`);
  }
  const token = (await readFile(flags.tokenFile, 'utf8')).trim();
  const log = pino({ name: `sidecar ${namespace}/${name}`, level: flags.logLevel }, pino.destination(2));
  const sidecar = await startSidecar({
    workload: { namespace, name }, caAddress: state.caAddress, configAddress: state.configAddress,
    rootPem: await readFile(join(dataDir, 'ca', 'root-cert.pem'), 'utf8'), token,
    address: flags.address, appAddress: flags.appAddress,
    outboundPort: port(flags.outboundPort, '--outbound-port'), adminPort: port(flags.adminPort, '--admin-port'),
    stateDir: join(dataDir, 'proxies'), log, accessLogFormat: flags.accessLogFormat === 'json' ? 'json' : 'text',
    // A restarted control plane has new ports: follow control-plane.json rather than the addresses we started with.
    discover: async () => {
      const now = await readStateFile(dataDir);
      return now ? { caAddress: now.caAddress ?? undefined, configAddress: now.configAddress } : undefined;
    },
  });
  log.info({ admin: sidecar.adminAddress, outbound: sidecar.outboundAddress }, 'sidecar ready');
  await new Promise<void>((done) => {
    const stop = () => void sidecar.close().finally(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function port(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new MeshguardError('MG_CLI_BAD_PORT', `${flag} must be a port number (0-65535), not "${value}"`);
  return n;
}
