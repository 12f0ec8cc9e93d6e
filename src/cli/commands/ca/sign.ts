/**
 * `meshguard ca sign --csr FILE --token T [--attestor join] [--out FILE]`: signs
 * a CSR made by another tool (openssl, cfssl) through the CA API, as a proxy
 * would on first contact. Prints the chain as PEM, leaf first and root last.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { caClient } from '../../../control/ca-api/client.js';
import type { AttestationType } from '../../../control/ca-api/protocol.js';
import { CA_DIR, ROOT_CERT_FILE } from '../../../control/ca-service/ca-files.js';
import { ControlPlaneNotRunningError } from '../../../control/errors.js';
import { readStateFile } from '../../../control/state-file.js';
import { MeshguardError } from '../../../errors.js';
import { resolveDataDir } from '../../control-client.js';

interface Flags { csr: string; token: string; attestor: string; out?: string; dataDir?: string }
const ATTESTORS: readonly AttestationType[] = ['join', 'local', 'k8s-psat'];

export function addSign(parent: Command): void {
  parent
    .command('sign')
    .description('sign a CSR (PEM or DER) for the identity a token attests; prints the chain, leaf first, root last')
    .requiredOption('--csr <file>', 'the certificate signing request (its subject and SANs are ignored: the token decides the identity)')
    .requiredOption('--token <token>', 'attestation token (`meshguard token create`)')
    .option('--attestor <type>', `attestor: ${ATTESTORS.join(', ')}`, 'join')
    .option('--out <file>', 'write the chain here instead of stdout')
    .option('--data-dir <dir>', 'data directory of the control plane (default $MESHGUARD_DIR or ./.meshguard)')
    .action(async (flags: Flags) => {
      const attestor = ATTESTORS.find((a) => a === flags.attestor);
      if (!attestor) throw new MeshguardError('MG_CLI_BAD_ATTESTOR', `--attestor must be one of ${ATTESTORS.join(', ')}, not "${flags.attestor}"`);
      const dataDir = resolveDataDir(flags.dataDir);
      const state = await readStateFile(dataDir).catch(() => undefined);
      if (!state?.caAddress) throw new ControlPlaneNotRunningError(dataDir, 'no CA address in control-plane.json');
      const raw = readFileSync(flags.csr);
      const text = raw.toString('latin1');
      const csr = text.includes('-----BEGIN') ? { csrPem: text } : { csrDer: raw.toString('base64') };
      // Trust on first contact: the root the control plane wrote into its own data directory.
      const ca = caClient({ address: state.caAddress, rootPem: readFileSync(join(dataDir, CA_DIR, ROOT_CERT_FILE), 'utf8') });
      try {
        const svid = await ca.sign({ ...csr, attestation: { type: attestor, token: flags.token } });
        if (flags.out) {
          writeFileSync(flags.out, svid.chainPem);
          process.stderr.write(`Signed ${svid.spiffeId} (serial ${svid.serial}, valid until ${svid.notAfter}); chain written to ${flags.out}\n`);
        } else {
          process.stdout.write(svid.chainPem);
        }
      } finally {
        ca.close();
      }
    });
}
