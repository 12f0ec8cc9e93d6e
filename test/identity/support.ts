// Shared setup for identity tests: temp dirs, OpenSSL-made CSRs and CAs, a test CA.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { createRootCa } from '../../src/identity/ca/create-root.js';
import { generateCaPrivateKey, memoryKeyStore, type CaKeyAlgorithm } from '../../src/identity/ca/key-store.js';
import { parseTrustDomain, type TrustDomain } from '../../src/identity/spiffe-id.js';
import type { CertificateAuthority } from '../../src/identity/ca/authority.js';

export const OPENSSL = '/usr/bin/openssl';
export const TD: TrustDomain = parseTrustDomain('cluster.local');
/** A fixed clock for tests that check windows. */
export const NOW = new Date('2026-03-01T12:00:00.000Z');

/** A temp directory removed after the test file. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mg-identity-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function openssl(args: string[], options: { cwd?: string; input?: string } = {}): string {
  return execFileSync(OPENSSL, args, { cwd: options.cwd, input: options.input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 20_000 });
}

export type CsrKeyKind = 'ec-p256' | 'ec-p384' | 'rsa-2048' | 'rsa-1024' | 'ec-p521' | 'secp256k1';

const NEWKEY: Record<CsrKeyKind, string[]> = {
  'ec-p256': ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  'ec-p384': ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  'ec-p521': ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-521'],
  secp256k1: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp256k1'],
  'rsa-2048': ['-newkey', 'rsa:2048'],
  'rsa-1024': ['-newkey', 'rsa:1024'],
};

/** A CSR made by `openssl req` (subject CN=evil on purpose: the CA must ignore it). */
export function opensslCsr(kind: CsrKeyKind, options: { uri?: string; dns?: string } = {}): { der: Buffer; keyPem: string } {
  const dir = tempDir();
  const sans = [options.uri && `URI:${options.uri}`, options.dns && `DNS:${options.dns}`].filter(Boolean);
  openssl([
    'req', '-new', ...NEWKEY[kind], '-nodes', '-keyout', 'key.pem', '-subj', '/CN=evil/O=attacker',
    ...(sans.length ? ['-addext', `subjectAltName=${sans.join(',')}`] : []),
    '-outform', 'DER', '-out', 'csr.der',
  ], { cwd: dir });
  return { der: readFileSync(join(dir, 'csr.der')), keyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
}

const caCache = new Map<string, Promise<CertificateAuthority>>();

/** A self-signed test CA (cached per trust domain and algorithm), valid around NOW and the real now. */
export function testCa(td: string = TD, algorithm: CaKeyAlgorithm = 'ec-p256'): Promise<CertificateAuthority> {
  const key = `${td}|${algorithm}`;
  let ca = caCache.get(key);
  if (!ca) {
    ca = createRootCa({ trustDomain: parseTrustDomain(td), keyStore: memoryKeyStore(generateCaPrivateKey(algorithm)), now: () => new Date('2026-01-01T00:00:00Z'), ttlMs: 20 * 365 * 24 * 3600e3 });
    caCache.set(key, ca);
  }
  return ca;
}

/** An Istio `cacerts` directory made by OpenSSL: root → intermediate (signing), key 0600. */
export function opensslIstioCacerts(): string {
  return writeIstioCacerts(tempDir());
}

/** Writes Istio's `cacerts` files into `dir` (root key removed, as a plugged-in CA would hold it) and returns `dir`. */
export function writeIstioCacerts(dir: string): string {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'root-key.pem', '-out', 'root-cert.pem', '-subj', '/O=Istio/CN=Root CA', '-days', '3650',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], { cwd: dir });
  openssl(['req', '-new', ...ec, '-keyout', 'ca-key.pem', '-out', 'ca.csr', '-subj', '/O=Istio/CN=Intermediate CA'], { cwd: dir });
  writeFileSync(join(dir, 'ext.cnf'), 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\nsubjectAltName=URI:spiffe://cluster.local\n');
  openssl(['x509', '-req', '-in', 'ca.csr', '-CA', 'root-cert.pem', '-CAkey', 'root-key.pem', '-CAcreateserial', '-out', 'ca-cert.pem', '-days', '1000', '-extfile', 'ext.cnf'], { cwd: dir });
  writeFileSync(join(dir, 'cert-chain.pem'), readFileSync(join(dir, 'ca-cert.pem'), 'utf8') + readFileSync(join(dir, 'root-cert.pem'), 'utf8'));
  chmodSync(join(dir, 'ca-key.pem'), 0o600);
  rmSync(join(dir, 'root-key.pem'));
  return dir;
}
