/**
 * `meshguard proxy-config secret <namespace>/<workload> [-o json|yaml]`: the proxy's
 * certificates in istioctl's table. The proxy's admin address is in
 * `<dataDir>/proxies/<ns>.<name>.json` (`{ "adminAddress": "127.0.0.1:15000" }`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { request } from 'undici';
import { MeshguardError } from '../../../errors.js';
import type { SecretRow } from '../../../proxy/identity/secrets-view.js';
import { parseOutputFormat, printRows, resolveDataDir } from '../../control-client.js';

// A local admin endpoint answers at once; anything slower is a stuck proxy.
const ADMIN_TIMEOUT_MS = 1500;
const WORKLOAD_REF = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

/** Where the proxy of `ns/name` listens for admin requests. */
async function adminAddressOf(dataDir: string, ns: string, name: string): Promise<string> {
  const file = join(dataDir, 'proxies', `${ns}.${name}.json`);
  let doc: { adminAddress?: unknown };
  try {
    doc = JSON.parse(await readFile(file, 'utf8')) as { adminAddress?: unknown };
  } catch {
    throw new MeshguardError('MG_PROXY_NOT_RUNNING', `no proxy for ${ns}/${name} (no ${file}); is the workload running?`);
  }
  if (typeof doc.adminAddress !== 'string' || !/^[\w.:[\]-]+:\d+$/.test(doc.adminAddress)) {
    throw new MeshguardError('MG_PROXY_NOT_RUNNING', `${file} has no valid adminAddress`);
  }
  return doc.adminAddress;
}

async function fetchSecrets(address: string, ref: string): Promise<SecretRow[]> {
  try {
    const res = await request(`http://${address}/secrets`, { signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS) });
    const body = (await res.body.json()) as { secrets?: SecretRow[]; error?: { code?: string; message?: string } };
    if (res.statusCode !== 200 || !body.secrets) {
      throw new MeshguardError(body.error?.code ?? 'MG_PROXY_ADMIN', `the proxy of ${ref} answered ${res.statusCode}: ${body.error?.message ?? 'no secrets'}`);
    }
    return body.secrets;
  } catch (err) {
    if (err instanceof MeshguardError) throw err;
    throw new MeshguardError('MG_PROXY_NOT_RUNNING', `the proxy of ${ref} does not answer at ${address}`);
  }
}

export function addSecret(parent: Command): void {
  parent
    .command('secret <workload>')
    .description('show the certificates a proxy serves: <namespace>/<workload>')
    .option('-o, --output <format>', 'table, json or yaml (json and yaml include the PEMs)', 'table')
    .option('--data-dir <dir>', 'data directory (default $MESHGUARD_DIR or ./.meshguard)')
    .action(async (workload: string, flags: { output: string; dataDir?: string }) => {
      const format = parseOutputFormat(flags.output);
      const m = WORKLOAD_REF.exec(workload);
      if (!m) throw new MeshguardError('MG_CLI_BAD_WORKLOAD', `workload must be <namespace>/<name>, not "${workload}"`);
      const [, ns, , name] = m as unknown as [string, string, string, string];
      const rows = await fetchSecrets(await adminAddressOf(resolveDataDir(flags.dataDir), ns, name), workload);
      printRows(rows, [
        ['RESOURCE NAME', (r) => r.resourceName], ['TYPE', (r) => r.type], ['STATUS', (r) => r.status],
        ['VALID CERT', (r) => String(r.validCert)], ['SERIAL NUMBER', (r) => r.serialNumber],
        ['NOT AFTER', (r) => r.notAfter], ['NOT BEFORE', (r) => r.notBefore],
      ], format, { secrets: rows });
    });
}
