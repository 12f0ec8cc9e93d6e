// File I/O for CA keys, kept apart from the pure CA code: the only module of
// src/identity/ca/ besides load-ca-files.ts that touches the disk.
import { closeSync, fstatSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { IdentityError, IdentityErrorCode } from '../errors.js';
import { DEFAULT_CA_KEY_ALGORITHM, generateCaPrivateKey, memoryKeyStore, type CaKeyAlgorithm, type CaKeyStore } from './key-store.js';

// Owner read/write only: anyone else who can read the CA key can mint any identity.
const KEY_FILE_MODE = 0o600;
const GROUP_OTHER_BITS = 0o077;

/**
 * Creates a new CA key in a fresh 0600 file (never overwrites one) and returns its store.
 * @example const store = createKeyFileStore('/var/lib/meshguard/ca-key.pem');
 */
export function createKeyFileStore(path: string, algorithm: CaKeyAlgorithm = DEFAULT_CA_KEY_ALGORITHM): CaKeyStore {
  const key = generateCaPrivateKey(algorithm);
  const pem = key.export({ format: 'pem', type: 'pkcs8' });
  // 'wx' refuses an existing file; the mode is applied at creation so the key is never readable by others.
  writeFileSync(path, pem, { mode: KEY_FILE_MODE, flag: 'wx' });
  return memoryKeyStore(key);
}

/**
 * Loads a CA key file, refusing it when group or others may read or write it.
 * @example const store = loadKeyFileStore('/etc/cacerts/ca-key.pem');
 */
export function loadKeyFileStore(path: string): CaKeyStore {
  return memoryKeyStore(readPrivateKeyFile(path));
}

/** Reads a private key PEM (PKCS#8, SEC1 or PKCS#1) after checking the file's mode on the open handle. */
export function readPrivateKeyFile(path: string): KeyObject {
  const fd = openSync(path, 'r');
  try {
    // fstat on the opened descriptor: the file checked is the file read (no swap in between).
    const mode = fstatSync(fd).mode & 0o777;
    if (mode & GROUP_OTHER_BITS) {
      throw new IdentityError(
        IdentityErrorCode.CA_KEY_PERMISSIONS,
        `CA key file ${path} has mode ${mode.toString(8).padStart(4, '0')}; it must not be accessible by group or others (chmod 600)`,
        { reason: 'group-or-other-access' },
      );
    }
    const pem = readFileSync(fd, 'utf8');
    try {
      return createPrivateKey({ key: pem, format: 'pem' });
    } catch (cause) {
      throw new IdentityError(IdentityErrorCode.CA_FILES_INVALID, `CA key file ${path} does not hold a PEM private key`, { reason: 'bad-key', cause });
    }
  } finally {
    closeSync(fd);
  }
}
