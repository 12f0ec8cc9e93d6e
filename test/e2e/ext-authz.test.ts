/**
 * Istio in Action 9.5 (seed 004): CUSTOM authorization with Istio's sample external
 * authorizer, on a real local mesh. `meshguard up -f examples/istio-in-action` (its
 * own data directory, so it runs after istio-in-action.test.ts without sharing
 * anything), then the chapter's steps with `meshguard apply`: the ext-authz Service,
 * the mesh config with the `sample-ext-authz-http` provider (the `istio` ConfigMap),
 * the CUSTOM policy on webapp; traffic by real `curl` through `meshguard exec default/sleep`.
 * Steps build on each other, in order.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';

const REPO = resolve(import.meta.dirname, '../..');
const CH9 = 'examples/istio-in-action/ch9';
const DENY_BODY = 'denied by ext_authz for not found header `x-ext-authz: allow` in the request';
const root = mkdtempSync(join(tmpdir(), 'mg-e2e-extauthz-'));
const dataDir = join(root, '.meshguard');
const env = { ...process.env, MESHGUARD_DIR: dataDir, NO_COLOR: '1' };
let up: ChildProcess;
let upExit: Promise<number | null>;
let upErr = '';

function meshguard(args: string[], timeout = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: REPO, env, timeout, encoding: 'utf8' },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

/** `kubectl -n default exec deploy/sleep -- curl [-H …] webapp.istioinaction/api/catalog`: body and status. */
async function sleepCurl(url: string, headers: string[] = []): Promise<{ status: string; body: string }> {
  const r = await meshguard(['exec', 'default/sleep', '--', 'curl', '-s', ...headers.flatMap((h) => ['-H', h]), '-w', '\n%{http_code}', url]);
  const lines = r.stdout.split('\n');
  return { status: lines.pop() ?? '', body: lines.join('\n') };
}

async function apply(file: string): Promise<string> {
  const r = await meshguard(['apply', '-f', `${CH9}/${file}`]);
  assert.equal(r.code, 0, r.stderr);
  // Every proxy has a change within a second.
  await new Promise((t) => setTimeout(t, 1000));
  return r.stdout;
}

const log = (file: string) => readFileSync(join(dataDir, 'logs', file), 'utf8');
const lastLine = (text: string, has: string) => text.split('\n').filter((l) => l.includes(has)).pop() ?? '';

/** The last line of a log with `has` once it matches `re` (logs are flushed a moment after the response), or the last seen. */
async function logLine(file: string, has: string, re: RegExp): Promise<string> {
  let line = '';
  for (const end = Date.now() + 3000; Date.now() < end; await new Promise((t) => setTimeout(t, 100))) {
    line = lastLine(log(file), has);
    if (re.test(line)) break;
  }
  return line;
}

before(async () => {
  up = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'up', '-f', 'examples/istio-in-action'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  upExit = new Promise((done) => up.once('exit', (code) => done(code)));
  let out = '';
  up.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  up.stderr!.on('data', (c: Buffer) => (upErr += c.toString()));
  const deadline = Date.now() + 60_000;
  while (!out.includes('mesh ready')) {
    if (Date.now() > deadline || up.exitCode !== null) throw new Error(`meshguard up did not get ready:\n${upErr}`);
    await new Promise((t) => setTimeout(t, 200));
  }
});

after(() => {
  if (up.exitCode === null) up.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

describe('Istio in Action 9.5 on a local mesh: external authorization (CUSTOM)', () => {
  it('before any policy, webapp answers', async () => {
    assert.equal((await sleepCurl('webapp.istioinaction/api/catalog')).status, '200');
  });

  it('deploys the sample authorizer: its Service (8000/TCP, 9000/TCP) selects the ext-authz workload', async () => {
    assert.match(await apply('ext-authz.yaml'), /^service\/ext-authz created$/m);
  });

  it('adds the sample-ext-authz-http provider to the mesh config by applying the istio ConfigMap', async () => {
    await apply('mesh-config-ext-authz.yaml');
    const running = await meshguard(['check', '--to', 'istioinaction/app=webapp:8080', '--path', '/api/catalog']);
    assert.equal(running.code, 0, running.stderr);
    assert.match(running.stdout, /Authz\s+ALLOW/, 'no CUSTOM policy yet: the provider alone changes nothing');
  });

  it('the CUSTOM policy: without x-ext-authz, 403 with the denial body; webapp logs 403 UAEX ext_authz_denied', async () => {
    assert.match(await apply('ext-authz-policy.yaml'), /^authorizationpolicy\.security\.istio\.io\/ext-authz created$/m);
    const r = await sleepCurl('webapp.istioinaction/api/catalog');
    assert.equal(r.status, '403');
    assert.equal(r.body, DENY_BODY);
    const denied = /"GET \/api\/catalog HTTP\/1\.1" 403 UAEX ext_authz_denied - "-" 0 76 /;
    assert.match(await logLine('istioinaction.webapp.sidecar.log', 'GET /api/catalog', denied), denied);
    const checked = /\[HTTP\]\[denied\]: GET webapp\.istioinaction\/api\/catalog, headers: map\[/;
    assert.match(await logLine('istioinaction.ext-authz.log', '[HTTP]', checked), checked);
  });

  it('with -H "x-ext-authz: allow": 200, and the check reached the authorizer over mTLS as webapp', async () => {
    const r = await sleepCurl('webapp.istioinaction/api/catalog', ['x-ext-authz: allow']);
    assert.equal(r.status, '200');
    assert.match(r.body, /"name"/);
    const check = await logLine('istioinaction.ext-authz.log', '[HTTP]', /\[allowed\]/);
    assert.match(check, /\[HTTP\]\[allowed\]: GET webapp\.istioinaction\/api\/catalog/);
    assert.match(check, /X-Ext-Authz:\[allow\]/);
    // Its sidecar's XFCC names the caller: webapp's sidecar, with webapp's SVID (auto mTLS + secure naming).
    assert.match(check, /X-Forwarded-Client-Cert:\[By=spiffe:\/\/cluster\.local\/ns\/istioinaction\/sa\/ext-authz;[^\]]*URI=spiffe:\/\/cluster\.local\/ns\/istioinaction\/sa\/webapp\]/);
    const passed = /"GET \/api\/catalog HTTP\/1\.1" 200 - via_upstream /;
    assert.match(await logLine('istioinaction.webapp.sidecar.log', 'GET /api/catalog', passed), passed);
  });

  it('the policy covers every path of webapp (paths: ["/*"])', async () => {
    const r = await sleepCurl('webapp.istioinaction/');
    assert.deepEqual([r.status, r.body], ['403', DENY_BODY]);
  });
});

describe('meshguard down', () => {
  it('stops the mesh: up exits 0', async () => {
    const r = await meshguard(['down']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await upExit, 0, upErr);
  });
});
