/**
 * `meshguard check`: what happens to this request, and why.
 *
 *   meshguard check -f examples/istio-in-action -f policy.yaml --request req.json
 *   meshguard check -f … --to istioinaction/app=webapp:8080 --from cluster.local/ns/default/sa/sleep --path /api/catalog
 *
 * Exit 0 whatever the decision; 1 on bad input (errors on stderr, nothing on stdout).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatConfigError, ResourceSet } from '../../../config/index.js';
import { compileDecisionConfig, decideRequest } from '../../../policy/decide.js';
import { remoteKeyResolver } from '../../../proxy/jwks/remote-resolver.js';
import { resolveDataDir } from '../../control-client.js';
import { loadConfig, printConfigErrors, withConfigFlags, type ConfigFlags } from '../../load-config.js';
import { loadRunningConfig } from '../../running-config.js';
import { parseOutputFormat, printDocument } from '../../output.js';
import { formatText } from './format-text.js';
import { toJson } from './format-json.js';
import { parseRequestDocument, requestFromFlags, toRequestFacts, type RequestDocument, type RequestFlags } from './request-document.js';

interface CheckFlags extends ConfigFlags, RequestFlags {
  dataDir?: string;
  request?: string;
  output?: string;
}

export function register(program: Command): void {
  withConfigFlags(program.command('check'))
    .description('evaluate one request against the configuration and explain the decision')
    .option('--request <file>', 'request document (JSON or YAML), `-` for stdin')
    .option('--to <ns/app=name:port>', 'destination: NAMESPACE/LABEL=VALUE[,…]:PORT or NAMESPACE/WORKLOAD:PORT')
    .option('--from <principal>', 'peer principal, e.g. cluster.local/ns/default/sa/sleep (omit for plaintext)')
    .option('--source-ip <ip>', 'client address')
    .option('--method <method>', 'HTTP method', 'GET')
    .option('--host <host>', 'Host header as the client sends it')
    .option('--path <path>', 'request path, query included', '/')
    .option('--header <name=value>', 'request header (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--token <jwt>', 'bearer token to verify')
    .option('--tcp', 'a raw TCP connection (no HTTP attributes)')
    .option('-o, --output <format>', 'output format: json or yaml (default: explanation in words)')
    .option('--data-dir <dir>', 'without -f: the running mesh whose control plane keeps its state here (default .meshguard or $MESHGUARD_DIR)')
    .action(async (flags: CheckFlags) => {
      process.exitCode = await runCheck(flags);
    });
}

async function runCheck(flags: CheckFlags): Promise<number> {
  const format = parseOutputFormat(flags.output, ['text', 'json', 'yaml']);
  // Without -f, the running mesh's resources: exactly what its proxies were sent.
  const loaded = flags.filename.length > 0 ? await loadConfig(flags) : await loadRunningConfig(resolveDataDir(flags.dataDir));
  if (loaded.errors.length > 0) {
    printConfigErrors(loaded.errors);
    process.stderr.write(`error: ${loaded.errors.length} configuration error(s); fix them, or run \`meshguard analyze\` for details\n`);
    return 1;
  }
  const doc = await readRequest(flags);
  if (!doc) return 1;
  const set = new ResourceSet(loaded.resources);
  const facts = toRequestFacts(doc, set);
  const cfg = compileDecisionConfig(loaded.mesh, {
    peerAuthentications: set.ofKind('PeerAuthentication'),
    requestAuthentications: set.ofKind('RequestAuthentication'),
    authorizationPolicies: set.ofKind('AuthorizationPolicy'),
  });
  const outcome = await decideRequest(cfg, facts, remoteKeyResolver(), new Date(), { explain: true });
  if (format === 'text') process.stdout.write(formatText(facts, outcome));
  else printDocument(format, toJson(outcome));
  return 0;
}

async function readRequest(flags: CheckFlags): Promise<RequestDocument | null> {
  if (flags.request === undefined) {
    if (!flags.to) {
      process.stderr.write('error: say which request to check: --request FILE (or -), or --to NS/app=NAME:PORT with --from/--path/…\n');
      return null;
    }
    return requestFromFlags(flags);
  }
  let text: string;
  try {
    text = flags.request === '-' ? await readStdin() : await readFile(flags.request, 'utf8');
  } catch (err) {
    process.stderr.write(`error: cannot read request document ${flags.request}: ${(err as Error).message}\n`);
    return null;
  }
  const parsed = parseRequestDocument(flags.request === '-' ? '<stdin>' : flags.request, text);
  if (!parsed.ok) {
    for (const e of parsed.errors) process.stderr.write(`error: ${formatConfigError(e)}\n`);
    return null;
  }
  return parsed.doc;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
