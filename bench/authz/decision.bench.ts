/**
 * Decisions per second for 10 … 10,000 AuthorizationPolicies:
 *  (a) all apply to the workload (namespace-wide, glob rules that need a scan),
 *  (b) all sit in other namespaces or behind non-matching selectors, plus 10 that apply,
 *  (c) all apply, with exact path/method/principal rules the index can pre-select.
 * Prints a Markdown table. Bounded: each row runs at most ~0.6 s.
 */
import { DEFAULT_MESH_CONFIG, type AuthorizationPolicy } from '../../src/config/kinds.js';
import { authorize, compileAuthorization, type AuthzRequest, type CompiledAuthz } from '../../src/policy/authz/index.js';

const SIZES = [10, 100, 1000, 10000];
const BATCH = 50;
const MAX_MS = 500;
const MAX_BATCHES = 4000;

function policy(ns: string, name: string, spec: AuthorizationPolicy['spec']): AuthorizationPolicy {
  return { apiVersion: 'security.istio.io/v1', group: 'security.istio.io', kind: 'AuthorizationPolicy', metadata: { name, namespace: ns }, spec, source: { file: 'bench', line: 1, column: 1, document: 0 } };
}

/**
 * A realistic ALLOW policy. With `scan`, nothing can be indexed (suffix paths,
 * prefix principals), so every rule is tried; otherwise the `/svc-i/*` prefix lets
 * the first-segment index pre-select it.
 */
function globPolicy(ns: string, i: number, selector?: Record<string, string>, scan = false): AuthorizationPolicy {
  return policy(ns, `glob-${String(i).padStart(5, '0')}`, {
    selector: selector ? { matchLabels: selector } : undefined,
    rules: [
      {
        from: [{ source: { principals: [`cluster.local/ns/team-${i}/*`], namespaces: [`team-${i}`] } }],
        to: [{ operation: { methods: ['GET', 'POST'], paths: [scan ? `*/items-${i}` : `/svc-${i}/*`] } }],
        when: [{ key: 'request.headers[x-tenant]', values: [`t-${i}*`] }],
      },
    ],
  });
}

function exactPolicy(ns: string, i: number): AuthorizationPolicy {
  return policy(ns, `exact-${String(i).padStart(5, '0')}`, {
    rules: [
      { from: [{ source: { principals: [`cluster.local/ns/team-${i}/sa/client`] } }], to: [{ operation: { methods: ["GET"], paths: [`/svc-${i}/items-${i}`] } }] },
    ],
  });
}

const workload = { namespace: 'app', labels: { app: 'web', version: 'v1' } };

function req(i: number, fresh = false): AuthzRequest {
  return {
    workload: fresh ? { namespace: 'app', labels: { app: 'web', version: 'v1' } } : workload,
    protocol: 'http',
    source: { principal: `cluster.local/ns/team-${i}/sa/client`, ip: '10.1.2.3' },
    destination: { port: 8080 },
    http: { method: 'GET', host: 'web.app', path: `/svc-${i}/items-${i}?page=2`, headers: { 'x-tenant': `t-${i}-eu`, 'user-agent': 'bench' } },
  };
}

function scenarioA(n: number, scan: boolean): AuthorizationPolicy[] {
  return Array.from({ length: n }, (_, i) => globPolicy('app', i, undefined, scan));
}

function scenarioB(n: number): AuthorizationPolicy[] {
  const out = Array.from({ length: 10 }, (_, i) => globPolicy('app', i));
  for (let i = 0; i < n; i++) out.push(i % 2 === 0 ? globPolicy(`other-${i % 50}`, 10 + i) : globPolicy('app', 10 + i, { app: `svc-${i}` }));
  return out;
}

function scenarioC(n: number): AuthorizationPolicy[] {
  return Array.from({ length: n }, (_, i) => exactPolicy('app', i));
}

interface Row { scenario: string; n: number; median: number; p99: number; perSec: number; check: string }

function measure(compiled: CompiledAuthz, request: AuthzRequest, expect: string): { median: number; p99: number; check: string } {
  const first = authorize(compiled, request);
  for (let i = 0; i < 200; i++) authorize(compiled, request); // warm-up
  const samples: number[] = [];
  const stop = performance.now() + MAX_MS;
  while (performance.now() < stop && samples.length < MAX_BATCHES) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < BATCH; i++) authorize(compiled, request);
    samples.push(Number(process.hrtime.bigint() - t0) / BATCH / 1000);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] as number;
  return { median: at(0.5), p99: at(0.99), check: `${first.decision}${first.policy ? ' ' + first.policy.split('/')[1] : ''}${first.decision === expect ? '' : ' (unexpected)'}` };
}

function run(): Row[] {
  const rows: Row[] = [];
  const mesh = DEFAULT_MESH_CONFIG;
  for (const n of SIZES) {
    const last = n - 1;
    const scan = compileAuthorization(scenarioA(n, true), mesh);
    rows.push({ scenario: '(a) all apply, unindexable glob rules (full scan); matches the last', n, ...fmt(measure(scan, req(last), 'ALLOW')) });
    rows.push({ scenario: '(a) same, no rule matches (default deny)', n, ...fmt(measure(scan, req(n + 5), 'DENY')) });
    const a = compileAuthorization(scenarioA(n, false), mesh);
    rows.push({ scenario: '(a) all apply, prefix-path glob rules (segment index)', n, ...fmt(measure(a, req(last), 'ALLOW')) });
    rows.push({ scenario: '(a) same, fresh WorkloadRef per request', n, ...fmt(measure(a, req(last, true), 'ALLOW')) });
    const b = compileAuthorization(scenarioB(n), mesh);
    rows.push({ scenario: '(b) other namespaces/selectors + 10 applying', n, ...fmt(measure(b, req(9), 'ALLOW')) });
    const c = compileAuthorization(scenarioC(n), mesh);
    rows.push({ scenario: '(c) all apply, exact path/method/principal', n, ...fmt(measure(c, req(last), 'ALLOW')) });
  }
  return rows;
}

function fmt(m: { median: number; p99: number; check: string }) {
  return { median: m.median, p99: m.p99, perSec: 1e6 / m.median, check: m.check };
}

const rows = run();
console.log(`node ${process.version}, ${new Date().toISOString().slice(0, 10)}, batch of ${BATCH} calls per sample\n`);
console.log('| scenario | policies | median µs/decision | p99 µs | decisions/s | result |');
console.log('|---|---:|---:|---:|---:|---|');
for (const r of rows) {
  console.log(`| ${r.scenario} | ${r.n} | ${r.median.toFixed(3)} | ${r.p99.toFixed(3)} | ${Math.round(r.perSec).toLocaleString('en-US')} | ${r.check} |`);
}
const base = compileAuthorization(scenarioA(10, false), DEFAULT_MESH_CONFIG);
const baseline = measure(base, req(9), 'ALLOW').median;
console.log(`\nbaseline (10 applying, nothing else): ${baseline.toFixed(3)} µs; compare with the (b) rows for the cost of policies that do not apply.`);
