/**
 * JWT verification per call (µs): meshguard's `authenticate` (extraction,
 * Envoy-order checks, jose) beside jose's raw `jwtVerify` on the same token and
 * key set, for RS256 and ES256; plus the effective-mTLS lookup over 1,000
 * PeerAuthentications (direct and compiled). Reports numbers, asserts nothing.
 */
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import { DEFAULT_MESH_CONFIG, type PeerAuthentication } from '../../src/config/kinds.js';
import { authenticate, inlineKeyResolver } from '../../src/policy/jwt/index.js';
import { compilePeerAuthentication, effectiveMtls } from '../../src/policy/mtls/index.js';

const BUDGET_MS = 1500; // per measurement: the whole run stays well under a minute

async function measure(fn: () => unknown | Promise<unknown>): Promise<{ us: number; n: number }> {
  for (let i = 0; i < 50; i++) await fn();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < BUDGET_MS && n < 200_000) {
    await fn();
    n++;
  }
  return { us: ((performance.now() - start) * 1000) / n, n };
}

async function jwtRows(alg: 'RS256' | 'ES256'): Promise<string[]> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg }] };
  const token = await new SignJWT({ iss: 'bench@example.com', sub: 'u', aud: 'api' })
    .setProtectedHeader({ alg, kid: 'k1' })
    .setExpirationTime('1h')
    .sign(privateKey);
  const rules = [{ issuer: 'bench@example.com', audiences: ['api'], jwks: JSON.stringify(jwks) }];
  const keys = inlineKeyResolver();
  const http = { headers: { authorization: `Bearer ${token}` }, path: '/' };
  const set = createLocalJWKSet(jwks);
  const ours = await measure(() => authenticate(rules, http, keys, new Date()));
  const raw = await measure(() => jwtVerify(token, set, { issuer: 'bench@example.com', audience: 'api' }));
  return [
    `| authenticate ${alg} | ${ours.us.toFixed(1)} | ${ours.n} |`,
    `| jose jwtVerify ${alg} (reference) | ${raw.us.toFixed(1)} | ${raw.n} |`,
  ];
}

function peerAuthentications(count: number): PeerAuthentication[] {
  const out: PeerAuthentication[] = [];
  for (let i = 0; i < count; i++) {
    const ns = `ns${i % 100}`;
    const selector = i % 10 === 0 ? undefined : { matchLabels: { app: `app${i}` } };
    out.push({
      apiVersion: 'security.istio.io/v1',
      group: 'security.istio.io',
      kind: 'PeerAuthentication',
      metadata: { namespace: ns, name: `pa${i}`, creationTimestamp: new Date(1_700_000_000_000 + i * 1000).toISOString() },
      spec: { ...(selector ? { selector } : {}), mtls: { mode: i % 2 ? 'STRICT' : 'PERMISSIVE' }, portLevelMtls: { '8080': { mode: 'DISABLE' } } },
      source: { file: 'bench', document: i, line: 1, column: 1 },
    });
  }
  return out;
}

async function main(): Promise<void> {
  const rows = ['| operation | µs/call | calls |', '|---|---:|---:|'];
  rows.push(...(await jwtRows('RS256')), ...(await jwtRows('ES256')));
  const policies = peerAuthentications(1000);
  const workload = { namespace: 'ns42', labels: { app: 'app942' } };
  const direct = await measure(() => effectiveMtls(policies, DEFAULT_MESH_CONFIG, workload, 8080));
  const compiled = compilePeerAuthentication(policies, DEFAULT_MESH_CONFIG);
  const lookup = await measure(() => compiled.lookup(workload, 8080));
  rows.push(`| effectiveMtls, 1,000 PeerAuthentications | ${direct.us.toFixed(1)} | ${direct.n} |`);
  rows.push(`| compiled lookup, 1,000 PeerAuthentications | ${lookup.us.toFixed(2)} | ${lookup.n} |`);
  console.log(rows.join('\n'));
}

await main();
