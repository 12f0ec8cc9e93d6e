/**
 * The token pepper lives in its own 0600 file beside the database, so that a
 * copy of the database alone cannot be used to check guessed tokens.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newPepper } from './token-secret.js';

export const PEPPER_FILE = 'token-pepper.key';

/** Reads the pepper from `dataDir`, creating it (0600) on first start. @example const pepper = loadOrCreatePepper('.meshguard'); */
export function loadOrCreatePepper(dataDir: string): Buffer {
  const path = join(dataDir, PEPPER_FILE);
  try {
    const existing = readFileSync(path);
    if (existing.length >= 32) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const pepper = newPepper();
  // 'wx' fails if another process created it meanwhile: then use theirs.
  try {
    writeFileSync(path, pepper, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(path);
    throw err;
  }
  chmodSync(path, 0o600);
  return pepper;
}
