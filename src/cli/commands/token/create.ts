/** `meshguard token create --namespace N --service-account S [--ttl 10m] [-o json|yaml]`. */
import type { Command } from 'commander';
import { MeshguardError } from '../../../errors.js';
import { connectControlPlane, resolveDataDir } from '../../control-client.js';
import { parseOutputFormat, printDocument } from '../../output.js';

interface Flags {
  namespace: string;
  serviceAccount: string;
  ttl?: string;
  kind: string;
  output: string;
  dataDir?: string;
}

interface Created {
  id: string;
  token: string;
  kind: string;
  spiffeId: string;
  expiresAt: number;
}

export function addCreate(parent: Command): void {
  parent
    .command('create')
    .description('mint a single-use join token bound to one identity; the secret is shown once')
    .requiredOption('-n, --namespace <ns>', 'namespace of the identity')
    .requiredOption('--service-account <sa>', 'service account of the identity')
    .option('--ttl <duration>', 'lifetime: 30s, 10m, 2h or seconds (default 10m)')
    .option('--kind <kind>', 'join (single use) or local (reusable until expiry, for `meshguard up`)', 'join')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .option('--data-dir <dir>', 'data directory of the control plane (default $MESHGUARD_DIR or ./.meshguard)')
    .action(async (flags: Flags) => {
      const format = parseOutputFormat(flags.output);
      const ttlSeconds = flags.ttl === undefined ? undefined : parseDuration(flags.ttl);
      const admin = await connectControlPlane(resolveDataDir(flags.dataDir));
      try {
        const t = await admin.call<Created>('POST', '/v1/tokens', {
          namespace: flags.namespace, serviceAccount: flags.serviceAccount, kind: flags.kind, ttlSeconds,
        });
        const expiresAt = new Date(t.expiresAt).toISOString();
        if (format !== 'table') return printDocument(format, { token: t.token, spiffeId: t.spiffeId, expiresAt, id: t.id, kind: t.kind });
        process.stdout.write(`Created ${t.kind} token ${t.id} for ${t.spiffeId}, expires ${expiresAt}.\n`);
        process.stdout.write(`Token: ${t.token}\n`);
      } finally {
        await admin.close();
      }
    });
}

/** `30s`, `10m`, `2h`, `1d` or plain seconds → seconds. @example parseDuration('10m') // 600 */
export function parseDuration(value: string): number {
  const m = /^(\d+)(s|m|h|d)?$/.exec(value.trim());
  if (!m) throw new MeshguardError('MG_CLI_BAD_DURATION', `--ttl must look like 30s, 10m, 2h or 1d, not "${value}"`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}
