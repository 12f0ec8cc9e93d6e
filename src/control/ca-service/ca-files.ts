/**
 * The CA's files in `<dataDir>/ca/` (0700): one key (0600, through the key-file
 * store: the key is only ever used through `sign()`) and one certificate per CA
 * generation, a JWT-SVID signing key per generation (`jwt-key.pem` for those from
 * before JWT keys rotated), and `root-cert.pem` — every root trusted now,
 * which clients read to trust the CA API on first contact.
 */
import { createPrivateKey, type KeyObject, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  certificatesFromPem, createKeyFileStore, loadKeyFileStore, readPrivateKeyFile, toPem,
  type CaKeyAlgorithm, type CaKeyStore, type DerCertificate,
} from '../../identity/index.js';

export const CA_DIR = 'ca';
/** What clients trust on first contact: every root of the current bundle, signing root first. */
export const ROOT_CERT_FILE = 'root-cert.pem';
export const JWT_KEY_FILE = 'jwt-key.pem';

export interface CaFiles {
  readonly dir: string;
  keyPath(id: string): string;
  certPath(id: string): string;
  /** A new key for generation `id` in a fresh 0600 file; refuses to overwrite one. */
  createKey(id: string, algorithm: CaKeyAlgorithm): CaKeyStore;
  loadKey(id: string): CaKeyStore;
  writeCert(id: string, cert: DerCertificate): void;
  readCert(id: string): DerCertificate;
  /** Replaces `root-cert.pem` atomically. */
  writeRoots(roots: readonly DerCertificate[]): void;
  /** The JWT-SVID signing key (P-256), created on first use. */
  loadOrCreateJwtKey(): KeyObject;
  /** A new JWT-SVID signing key for generation `id` (`<id>-jwt-key.pem`, 0600); refuses to overwrite one. */
  createJwtKey(id: string): KeyObject;
  /** Generation `id`'s JWT-SVID key; generations from before JWT keys rotated share `jwt-key.pem`. */
  loadJwtKey(id: string): KeyObject;
}

/**
 * @example
 *   const files = caFiles('/var/lib/meshguard');
 *   const store = files.createKey('ca-1', 'ec-p256');
 */
export function caFiles(dataDir: string): CaFiles {
  const dir = join(dataDir, CA_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Only the control plane's user may list the CA's files.
  chmodSync(dir, 0o700);
  const keyPath = (id: string) => join(dir, `${id}-key.pem`);
  const certPath = (id: string) => join(dir, `${id}-cert.pem`);
  const jwtKeyPath = (id: string) => join(dir, `${id}-jwt-key.pem`);
  return {
    dir,
    keyPath,
    certPath,
    createKey: (id, algorithm) => createKeyFileStore(keyPath(id), algorithm),
    loadKey: (id) => loadKeyFileStore(keyPath(id)),
    writeCert: (id, cert) => writeFileSync(certPath(id), toPem([cert]), { mode: 0o644 }),
    readCert(id) {
      const [cert] = certificatesFromPem(readFileSync(certPath(id), 'utf8'));
      if (!cert) throw new TypeError(`${certPath(id)} holds no certificate`);
      return cert;
    },
    writeRoots(roots) {
      const path = join(dir, ROOT_CERT_FILE);
      writeFileSync(`${path}.tmp`, toPem(roots), { mode: 0o644 });
      renameSync(`${path}.tmp`, path);
    },
    loadOrCreateJwtKey() {
      const path = join(dir, JWT_KEY_FILE);
      return existsSync(path) ? readPrivateKeyFile(path) : writeNewJwtKey(path);
    },
    createJwtKey: (id) => writeNewJwtKey(jwtKeyPath(id)),
    loadJwtKey(id) {
      const path = jwtKeyPath(id);
      return existsSync(path) ? readPrivateKeyFile(path) : this.loadOrCreateJwtKey();
    },
  };
}

/** A new P-256 key in a fresh 0600 file ('wx': an existing key is never replaced). */
function writeNewJwtKey(path: string): KeyObject {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  return createPrivateKey(readFileSync(path, 'utf8'));
}
