// Bundles the CLI into dist/bin/ so that a command loads a few files instead of
// hundreds of ES modules: `meshguard check` starts in about half the time (module
// resolution was ~40% of its run). Each command stays a lazily imported chunk.
// Packages with native parts or files read at run time stay external.
//
// The proxy's code gets undici's `Pool` alone (see undiciPoolOnly): undici's index
// loads fetch, WebSocket, caches and mocks too, several MB of every sidecar's RSS.
// `node scripts/bundle-cli.mjs --metafile` writes dist/bin/meta.json (what each chunk holds).
import { build } from 'esbuild';
import { chmodSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

const EXTERNAL = [
  'better-sqlite3', 'pg', '@grpc/grpc-js', '@grpc/proto-loader', 'protobufjs', 'pino', 'pino-pretty',
  'prom-client',
];

/**
 * Resolves `import { Pool } from 'undici'` in src/proxy/ to undici's own Pool module
 * (the same class the index exports, with the same request/stream methods). The proxy imports nothing else from undici as
 * a value; if it starts to, the build fails here rather than at run time. Other
 * importers (CLI clients using fetch) get the whole package.
 * @param {string} proxyDir absolute path of src/proxy
 */
export function undiciPoolOnly(proxyDir) {
  const lib = join(dirname(createRequire(import.meta.url).resolve('undici')), 'lib');
  const poolFile = join(lib, 'dispatcher', 'pool.js');
  // undici's index gives every dispatcher its request/stream/pipeline methods; do the same here.
  const apiFile = join(lib, 'api', 'index.js');
  const dispatcherFile = join(lib, 'dispatcher', 'dispatcher.js');
  return {
    name: 'undici-pool-only',
    setup(b) {
      b.onResolve({ filter: /^undici$/ }, (args) => (args.importer.startsWith(proxyDir + sep) ? { path: 'undici-pool', namespace: 'undici-pool-only' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'undici-pool-only' }, () => ({
        contents: [
          `import Pool from ${JSON.stringify(poolFile)};`,
          `import Dispatcher from ${JSON.stringify(dispatcherFile)};`,
          `import api from ${JSON.stringify(apiFile)};`,
          'Object.assign(Dispatcher.prototype, api);',
          'export { Pool };',
        ].join('\n'),
        loader: 'js',
        resolveDir: dirname(poolFile),
      }));
    },
  };
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const result = await build({
    entryPoints: { meshguard: 'src/cli/main.ts' },
    outdir: 'dist/bin',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    external: EXTERNAL,
    plugins: [undiciPoolOnly(join(process.cwd(), 'src', 'proxy'))],
    metafile: process.argv.includes('--metafile'),
    chunkNames: 'chunks/[name]-[hash]',
    // CommonJS dependencies inside an ES bundle still call require().
    banner: { js: "import { createRequire as __mgRequire } from 'node:module'; const require = __mgRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  chmodSync('dist/bin/meshguard.js', 0o755);
  if (result.metafile) writeFileSync('dist/bin/meta.json', JSON.stringify(result.metafile));
}
