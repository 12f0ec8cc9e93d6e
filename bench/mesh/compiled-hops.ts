// The two proxy hops as users run them: compiled JavaScript under plain `node`,
// not TypeScript through tsx (whose loader alone adds ~30 MB of RSS and some CPU
// to every process). esbuild bundles each hop's entry point into a temp dir; the
// packages `meshguard`'s own bundle keeps external stay external here too, and
// resolve through a `node_modules` link to the repository's. The proxy's code gets
// undici's Pool module alone, as in `scripts/bundle-cli.mjs` (undiciPoolOnly there).
import { symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { build, type Plugin } from 'esbuild';

/** Same list as `scripts/bundle-cli.mjs`: native parts or files read at run time. */
const EXTERNAL = ['better-sqlite3', 'pg', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'pino', 'pino-pretty', 'prom-client'];

/** `import { Pool } from 'undici'` in src/proxy/ → undici's own Pool module (same as the meshguard bundle). */
function undiciPoolOnly(proxyDir: string): Plugin {
  const poolFile = join(dirname(createRequire(import.meta.url).resolve('undici')), 'lib', 'dispatcher', 'pool.js');
  return {
    name: 'undici-pool-only',
    setup(b) {
      b.onResolve({ filter: /^undici$/ }, (args) => (args.importer.startsWith(proxyDir + sep) ? { path: 'undici-pool', namespace: 'undici-pool-only' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'undici-pool-only' }, () => ({
        contents: `import Pool from ${JSON.stringify(poolFile)}; export { Pool };`, loader: 'js', resolveDir: dirname(poolFile),
      }));
    },
  };
}

/** Entry points relative to `bench/mesh/`, by the name of their compiled file. */
export const HOP_ENTRIES = { inbound: '../proxy-inbound/proxy-process.ts', outbound: '../proxy-outbound/child.ts' } as const;

/**
 * Bundles the hops into `outDir` and returns each compiled file.
 *
 * @example
 * const hops = await compileHops(dir); // { inbound: '/tmp/…/hops/inbound.mjs', outbound: '/tmp/…/hops/outbound.mjs' }
 */
export async function compileHops(outDir: string): Promise<Record<keyof typeof HOP_ENTRIES, string>> {
  const here = import.meta.dirname;
  const dir = join(outDir, 'hops');
  await build({
    entryPoints: Object.fromEntries(Object.entries(HOP_ENTRIES).map(([name, file]) => [name, join(here, file)])),
    outdir: dir, outExtension: { '.js': '.mjs' }, bundle: true, format: 'esm', platform: 'node', target: 'node20',
    external: EXTERNAL, logLevel: 'warning', plugins: [undiciPoolOnly(resolve(here, '../../src/proxy'))],
    banner: { js: "import { createRequire as __mgRequire } from 'node:module'; const require = __mgRequire(import.meta.url);" },
  });
  symlinkSync(resolve(here, '../../node_modules'), join(outDir, 'node_modules'), 'dir');
  return { inbound: join(dir, 'inbound.mjs'), outbound: join(dir, 'outbound.mjs') };
}
