// Test identities for proxy tests: a CA per trust domain (the project's own CA code),
// SVIDs minted through its issuer, a mutable IdentitySource, and an OpenSSL-made
// root + leaf without a URI SAN (a chain that verifies but names no workload).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onFileEnd } from './cleanup.js';
import type { IdentitySource, ProxyIdentity } from '../../../src/proxy/model.js';

export { testCa, mintSvid, type TestCa } from './mint.js';

/** An IdentitySource whose identity the test replaces (a renewal). */
export function mutableIdentity(initial: ProxyIdentity): IdentitySource & { set(next: ProxyIdentity): void } {
  let current = initial;
  const listeners = new Set<(id: ProxyIdentity) => void>();
  return {
    current: () => current,
    onChange(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    set(next) {
      current = next;
      for (const l of listeners) l(next);
    },
  };
}

/** A temp dir removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mg-proxy-'));
  onFileEnd(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Write a client's cert/key/CA as 0600 files for curl. */
export function writeClientFiles(dir: string, name: string, id: { certChainPem: string; keyPem: string; bundlePem: string }) {
  const cert = join(dir, `${name}-cert.pem`);
  const key = join(dir, `${name}-key.pem`);
  const ca = join(dir, `${name}-ca.pem`);
  writeFileSync(cert, id.certChainPem, { mode: 0o600 });
  writeFileSync(key, id.keyPem, { mode: 0o600 });
  writeFileSync(ca, id.bundlePem, { mode: 0o600 });
  chmodSync(key, 0o600);
  return { cert, key, ca };
}

/** OpenSSL: a root and a client leaf signed by it with no SAN at all. */
export function opensslLeafWithoutUri(): { rootPem: string; certPem: string; keyPem: string } {
  const dir = tempDir();
  const run = (args: string[]) => execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: 'pipe', timeout: 20_000 });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run(['req', '-x509', ...ec, '-keyout', 'root-key.pem', '-out', 'root.pem', '-subj', '/O=Other', '-days', '2',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  run(['req', '-new', ...ec, '-keyout', 'leaf-key.pem', '-out', 'leaf.csr', '-subj', '/CN=no-uri']);
  writeFileSync(join(dir, 'ext.cnf'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth,serverAuth\n');
  run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'root.pem', '-CAkey', 'root-key.pem', '-CAcreateserial', '-out', 'leaf.pem', '-days', '1', '-extfile', 'ext.cnf']);
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { rootPem: read('root.pem'), certPem: read('leaf.pem'), keyPem: read('leaf-key.pem') };
}
