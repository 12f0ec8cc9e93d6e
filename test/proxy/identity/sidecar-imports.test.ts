// The sidecar must not load @peculiar/x509 and what it brings (tsyringe, reflect-metadata,
// asn1js, pvtsutils): 7–14 MB of every proxy's RSS for code it does not need. This walks
// the static import graph the bundler sees, from the modules the sidecar starts with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';

const HEAVY = /^(@peculiar\/|tsyringe|reflect-metadata|asn1js|pvtsutils|pvutils)/;

/** Every bare package a module reaches through static imports (dynamic `import()` left out: that loads on use). */
async function staticPackagesOf(entry: string): Promise<{ packages: Set<string>; via: Map<string, string> }> {
  const result = await build({
    entryPoints: [entry], bundle: true, write: false, metafile: true, platform: 'node', format: 'esm',
    packages: 'external', logLevel: 'silent', outdir: 'unused',
  });
  const packages = new Set<string>();
  const via = new Map<string, string>();
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    for (const imp of input.imports) {
      if (imp.kind !== 'import-statement' || !imp.external || imp.path.startsWith('node:')) continue;
      packages.add(imp.path);
      via.set(imp.path, file);
    }
  }
  return { packages, via };
}

async function assertLight(entry: string): Promise<void> {
  const { packages, via } = await staticPackagesOf(entry);
  const heavy = [...packages].filter((p) => HEAVY.test(p)).map((p) => `${p} (imported by ${via.get(p)})`);
  assert.deepEqual(heavy, [], `${entry} statically loads x509 libraries`);
}

test('the identity client, its key and CSR, and the secrets view load no x509 library', async () => {
  await assertLight('src/proxy/identity/identity-client.ts');
  await assertLight('src/proxy/identity/secrets-handler.ts');
});

test('the TLS context manager, peer identity and the CA client adapter load no x509 library', async () => {
  await assertLight('src/proxy/tls/index.ts');
  await assertLight('src/platform/sidecar/ca-api-adapter.ts');
});

test('the check finds the library where it is loaded (the CA module)', async () => {
  const { packages } = await staticPackagesOf('src/identity/ca/certificate.ts');
  assert.ok(packages.has('@peculiar/x509'));
});

// The whole graph: one import of identity/ca/certificate.ts anywhere (it loads the library
// for the CA) would bring @peculiar/x509 and its dependencies back into every sidecar.
test('the whole sidecar (start-sidecar.ts) loads no x509 library', async () => {
  await assertLight('src/platform/sidecar/start-sidecar.ts');
});
