import { DEFAULT_MESH_CONFIG } from './src/config/kinds.js';
import { authorize, compileAuthorization } from './src/policy/authz/index.js';
const N = Number(process.argv[2] ?? 3000);
const ps = Array.from({ length: N }, (_, i) => ({ apiVersion: 'v1', group: 'security.istio.io', kind: 'AuthorizationPolicy', metadata: { name: `glob-${String(i).padStart(5, '0')}`, namespace: 'app' }, spec: { rules: [{ from: [{ source: { principals: [`cluster.local/ns/team-${i}/*`] } }], to: [{ operation: { methods: ['GET', 'POST'], paths: [`*/items-${i}`] } }] }] }, source: { file: 'b', line: 1, column: 1, document: 0 } })) as any;
const c = compileAuthorization(ps, DEFAULT_MESH_CONFIG);
const r: any = { workload: { namespace: 'app', labels: {} }, protocol: 'http', source: { principal: 'cluster.local/ns/team-x/sa/client', ip: '10.1.2.3' }, destination: { port: 8080 }, http: { method: 'GET', host: 'web.app', path: '/svc/items-x', headers: {} } };
for (let k = 0; k < 4; k++) { const t = performance.now(); for (let i = 0; i < 100; i++) authorize(c, r); console.log(N, ((performance.now() - t) / 100 * 1000).toFixed(1), 'us'); }
