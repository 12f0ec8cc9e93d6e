/**
 * Where meshguard's own files are at run time. Modules run from `src/` (tsx),
 * from `dist/` (tsc) and from the bundle's `dist/bin/chunks/`, so no fixed
 * relative path works; the package root is the nearest folder above holding
 * meshguard's `package.json`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** @example readFileSync(join(packageRoot(), 'src/proxy/workload-api/workload.proto')) */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  if (cached && from === fileURLToPath(import.meta.url)) return cached;
  for (let dir = dirname(from), i = 0; i < 16; i++, dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'meshguard') {
      if (from === fileURLToPath(import.meta.url)) cached = dir;
      return dir;
    }
    if (dirname(dir) === dir) break;
  }
  throw new TypeError(`meshguard's package.json not found above ${from}`);
}

/** meshguard's version, from its package.json. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
