/**
 * The workload key on disk: mode 0600, replaced atomically (write a new file beside
 * it, then rename over), so a reader never sees half a key or a key that is not the
 * current certificate's. The only place the identity client touches the disk.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { IDENTITY_CLIENT_ERROR_CODES, IdentityClientError } from './errors.js';

/** Owner read/write only: whoever reads this key can act as the workload until its SVID expires. */
export const KEY_FILE_MODE = 0o600;

/**
 * Writes `pem` to `path` with mode 0600, atomically.
 * @example writeKeyFileAtomic('/var/run/meshguard/web/key.pem', identity.keyPem)
 */
export function writeKeyFileAtomic(path: string, pem: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    // 'wx': a fresh file (never one an attacker pre-created); the mode applies at creation.
    fd = openSync(tmp, 'wx', KEY_FILE_MODE);
    // umask can only clear bits, but a chmod makes the mode exactly 0600 whatever it is.
    fchmodSync(fd, KEY_FILE_MODE);
    writeSync(fd, pem);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (cause) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    // The path is ours to show; the key bytes never are.
    throw new IdentityClientError(IDENTITY_CLIENT_ERROR_CODES.KEY_FILE, `cannot write the workload key file ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, { reason: 'write', cause });
  }
}
