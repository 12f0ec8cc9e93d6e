import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { caClient } from '../../../src/control/ca-api/client.js';
import { readStateFile } from '../../../src/control/state-file.js';
import { certificatesFromPem, parseBundleDocument, toPem } from '../../../src/identity/index.js';
import { type CliControlPlane, runCli, startCliControlPlane } from '../../control/harness/cli.js';
import { openssl, tempDir, writeIstioCacerts } from '../../identity/support.js';

const NEWKEY = { ec: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], rsa: ['-newkey', 'rsa:2048'] } as const;

async function tokenFor(cp: CliControlPlane, ns: string, sa: string): Promise<string> {
  const r = await runCli(['token', 'create', '-n', ns, '--service-account', sa, '-o', 'json', '--data-dir', cp.dataDir]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { token: string }).token;
}

/** `openssl req` in `dir`, then `meshguard ca sign`; resolves the chain file path. */
async function signWithOpenssl(cp: CliControlPlane, dir: string, name: string, key: keyof typeof NEWKEY, san?: string): Promise<string> {
  openssl(['req', '-new', ...NEWKEY[key], '-nodes', '-keyout', `${name}.key`, '-subj', '/CN=ignored', ...(san ? ['-addext', `subjectAltName=${san}`] : []), '-out', `${name}.csr`], { cwd: dir });
  const token = await tokenFor(cp, 'payments', name);
  const r = await runCli(['ca', 'sign', '--csr', join(dir, `${name}.csr`), '--token', token, '--out', join(dir, `${name}.pem`), '--data-dir', cp.dataDir]);
  assert.equal(r.code, 0, r.stderr);
  return join(dir, `${name}.pem`);
}

function verify(dir: string, rootFile: string, chainFile: string): string {
  return openssl(['verify', '-CAfile', rootFile, '-untrusted', chainFile, chainFile], { cwd: dir });
}

describe('meshguard ca sign: OpenSSL interop', () => {
  let cp: CliControlPlane;
  before(async () => { cp = await startCliControlPlane(); });
  after(async () => { await cp.stop(); });

  for (const [name, key, san] of [['ec-plain', 'ec'], ['ec-dns-san', 'ec', 'DNS:checkout.example'], ['rsa-plain', 'rsa'], ['rsa-spiffe-san', 'rsa', 'URI:spiffe://cluster.local/ns/payments/sa/rsa-spiffe-san']] as const) {
    it(`signs an openssl ${key} CSR (${san ?? 'no SAN'}) and openssl verifies the chain, leaf first and root last`, async () => {
      const dir = tempDir();
      const chain = await signWithOpenssl(cp, dir, name, key, san);
      assert.match(verify(dir, join(cp.dataDir, 'ca', 'root-cert.pem'), chain), /: OK/);
      const text = openssl(['x509', '-in', chain, '-noout', '-text']);
      assert.match(text, new RegExp(`URI:spiffe://cluster\\.local/ns/payments/sa/${name}`));
      assert.ok(!text.includes('checkout.example'), 'DNS SANs from the CSR are not copied');
      const certs = certificatesFromPem(readFileSync(chain, 'utf8'));
      const root = certificatesFromPem(readFileSync(join(cp.dataDir, 'ca', 'root-cert.pem'), 'utf8'))[0]!;
      assert.ok(certs.at(-1)!.equals(root), 'the chain ends with the root');
    });
  }

  it('refuses a CSR naming another identity with the stable code', async () => {
    const dir = tempDir();
    openssl(['req', '-new', ...NEWKEY.ec, '-nodes', '-keyout', 'k.pem', '-subj', '/CN=x', '-addext', 'subjectAltName=URI:spiffe://cluster.local/ns/kube-system/sa/admin', '-out', 'f.csr'], { cwd: dir });
    const r = await runCli(['ca', 'sign', '--csr', join(dir, 'f.csr'), '--token', await tokenFor(cp, 'payments', 'forger'), '--data-dir', cp.dataDir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /CSR URI SAN names another identity than the attested one/);
    assert.equal(r.stdout, '');
  });
});

describe('meshguard ca rotate: prepare, activate, retire', () => {
  let cp: CliControlPlane;
  before(async () => { cp = await startCliControlPlane(); });
  after(async () => { await cp.stop(); });

  async function bundleRoots(): Promise<Buffer[]> {
    const state = await readStateFile(cp.dataDir);
    const c = caClient({ address: state!.caAddress!, rootPem: readFileSync(join(cp.dataDir, 'ca', 'root-cert.pem'), 'utf8') });
    try {
      return parseBundleDocument((await c.fetchBundle()).bundleJson).x509Roots;
    } finally {
      c.close();
    }
  }
  const status = async () => JSON.parse((await runCli(['ca', 'status', '-o', 'json', '--data-dir', cp.dataDir])).stdout) as {
    phase: string; bundleSequence: number; certificatesIssued: number; authorities: { id: string; state: string; notAfter: string }[];
  };
  const rotate = (step: string, ...extra: string[]) => runCli(['ca', 'rotate', `--${step}`, ...extra, '--data-dir', cp.dataDir]);

  it('keeps the old root trusted during the overlap, signs with the new one after activate, drops the old on retire', async () => {
    const dir = tempDir();
    const before = await status();
    assert.equal(before.phase, 'steady');
    const [oldRoot] = await bundleRoots();
    writeFileSync(join(dir, 'old-root.pem'), toPem([oldRoot!]));

    const prepared = await rotate('prepare');
    assert.equal(prepared.code, 0, prepared.stderr);
    assert.equal((await bundleRoots()).length, 2, 'prepare: the bundle carries the old and the new root');
    const s1 = await status();
    assert.deepEqual(s1.authorities.map((a) => a.state), ['current', 'next']);
    assert.ok(s1.bundleSequence > before.bundleSequence);
    const stillOld = await signWithOpenssl(cp, dir, 'before-activate', 'ec');
    assert.match(verify(dir, 'old-root.pem', stillOld), /: OK/);

    assert.equal((await rotate('activate')).code, 0);
    const overlap = await bundleRoots();
    assert.equal(overlap.length, 2, 'activate: both roots stay in the bundle');
    const newRoot = overlap[0]!;
    assert.ok(!newRoot.equals(oldRoot!));
    writeFileSync(join(dir, 'new-root.pem'), toPem([newRoot]));
    const leaf = await signWithOpenssl(cp, dir, 'after-activate', 'ec');
    assert.match(verify(dir, 'new-root.pem', leaf), /: OK/, 'leaves after activate chain to the new root');
    assert.throws(() => verify(dir, 'old-root.pem', leaf));

    const early = await rotate('retire');
    assert.equal(early.code, 1, 'retire is refused while SVIDs of the old root may be valid');
    assert.match(early.stderr, /may be valid until/);
    assert.equal((await rotate('retire', '--force')).code, 0);
    const after = await bundleRoots();
    assert.equal(after.length, 1);
    assert.ok(after[0]!.equals(newRoot), 'retire: only the new root remains');
    const s3 = await status();
    assert.deepEqual(s3.authorities.map((a) => a.state), ['current', 'retired']);
    assert.ok(s3.certificatesIssued >= 2);
    const table = await runCli(['ca', 'status', '--data-dir', cp.dataDir]);
    assert.match(table.stdout, /KIND\s+ID\s+STATE\s+SUBJECT\s+NOT BEFORE\s+NOT AFTER/);
  });

  it('refuses an out-of-order step with MG_CA_ROTATION_STATE and says what to run', async () => {
    const r = await rotate('activate');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no prepared CA to activate; run --prepare first/);
  });
});

describe('meshguard control-plane --ca-dir: a plugged-in Istio cacerts directory', () => {
  let cp: CliControlPlane;
  let caDir: string;
  before(async () => {
    caDir = writeIstioCacerts(mkdtempSync(join(tmpdir(), 'mg-cacerts-')));
    cp = await startCliControlPlane(['--ca-dir', caDir]);
  });
  after(async () => { await cp.stop(); rmSync(caDir, { recursive: true, force: true }); });

  it('signs through the intermediate and openssl verifies leaf → intermediate → root', async () => {
    const dir = tempDir();
    const chain = await signWithOpenssl(cp, dir, 'plugged', 'ec');
    const certs = certificatesFromPem(readFileSync(chain, 'utf8'));
    assert.equal(certs.length, 3, 'leaf, intermediate, root');
    assert.match(openssl(['verify', '-CAfile', join(caDir, 'root-cert.pem'), '-untrusted', chain, chain]), /: OK/);
    assert.match(openssl(['x509', '-in', chain, '-noout', '-issuer']), /Intermediate CA/);
  });

  it('shows the intermediate in ca status and refuses to rotate a plugged-in CA', async () => {
    const s = JSON.parse((await runCli(['ca', 'status', '-o', 'json', '--data-dir', cp.dataDir])).stdout) as { mode: string; authorities: { kind: string }[] };
    assert.equal(s.mode, 'plugged');
    assert.deepEqual(s.authorities.map((a) => a.kind), ['root', 'intermediate']);
    const r = await runCli(['ca', 'rotate', '--prepare', '--data-dir', cp.dataDir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /rotate it where it is managed/);
  });
});
