// The configuration both meshguard hops run with: the server side STRICT mTLS,
// a RequestAuthentication (RS256 JWT) and 100 AuthorizationPolicies, only the
// last of which allows the benchmark's request; the client side a Service
// `webapp.istioinaction` whose one endpoint is the server-side hop.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { DEFAULT_MESH_CONFIG, type Service } from '../../src/config/index.js';
import type { ProxySnapshot } from '../../src/proxy/model.js';
import { meshMtls, snapshotFor } from '../../test/proxy/support/snapshot.js';

/** The path every benchmark request asks for (the allowing policy matches it). */
export const BENCH_PATH = '/api/catalog/items';
/** The URL the app gives its outbound sidecar (an HTTP proxy). */
export const BENCH_URL = `http://webapp.istioinaction${BENCH_PATH}`;
const ISSUER = 'bench@meshguard';

function policy(name: string, principal: string, requestPrincipal: string | undefined, path: string): { file: string; text: string } {
  const rp = requestPrincipal ? `, requestPrincipals: ["${requestPrincipal}"]` : '';
  return {
    file: `${name}.yaml`,
    text: `apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: ${name}, namespace: istioinaction}\nspec:\n  selector: {matchLabels: {app: webapp}}\n  rules:\n  - from: [{source: {principals: ["${principal}"]${rp}}}]\n    to: [{operation: {methods: ["GET"], paths: ["${path}"]}}]\n`,
  };
}

/**
 * The inbound (webapp) snapshot and a token it accepts.
 *
 * @example
 * const { snapshot, token } = await serverSideConfig(100);
 */
export async function serverSideConfig(policies: number): Promise<{ snapshot: ProxySnapshot; token: string }> {
  const files = [meshMtls('STRICT')];
  for (let i = 0; i < policies - 1; i++) files.push(policy(`p${i}`, `cluster.local/ns/team${i}/sa/svc`, undefined, `/team${i}/*`));
  files.push(policy('catalog', 'cluster.local/ns/default/sa/sleep', `${ISSUER}/*`, '/api/catalog*'));
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'b1', alg: 'RS256' };
  files.push({ file: 'ra.yaml', text: `apiVersion: security.istio.io/v1beta1\nkind: RequestAuthentication\nmetadata: {name: jwt, namespace: istioinaction}\nspec:\n  selector: {matchLabels: {app: webapp}}\n  jwtRules:\n  - issuer: ${ISSUER}\n    jwks: '${JSON.stringify({ keys: [jwk] })}'\n` });
  const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'b1' }).setIssuer(ISSUER).setSubject('u1').setExpirationTime('1h').sign(privateKey);
  return { snapshot: snapshotFor(files), token };
}

/**
 * The outbound (sleep) snapshot: `webapp.istioinaction:80` → the inbound hop on 127.0.0.1:`inboundPort`, with a sidecar.
 *
 * @example
 * clientSideConfig(41234, 'spiffe://cluster.local/ns/istioinaction/sa/webapp')
 */
export function clientSideConfig(inboundPort: number, serverSpiffeId: string): ProxySnapshot {
  const service = {
    apiVersion: 'v1', group: '', kind: 'Service', metadata: { name: 'webapp', namespace: 'istioinaction' },
    spec: { selector: { app: 'webapp' }, ports: [{ port: 80, targetPort: inboundPort }] }, source: { file: 'bench', document: 0, line: 1, column: 1 },
  } as Service;
  return {
    version: '1', mesh: DEFAULT_MESH_CONFIG, peerAuthentications: [], requestAuthentications: [], authorizationPolicies: [], services: [service],
    workload: { namespace: 'default', name: 'sleep', labels: { app: 'sleep' }, address: '127.0.0.1', ports: [], sidecar: true, spiffeId: 'spiffe://cluster.local/ns/default/sa/sleep', serviceAccount: 'sleep' },
    endpoints: [{ namespace: 'istioinaction', name: 'webapp', labels: { app: 'webapp' }, address: '127.0.0.1', ports: [{ port: inboundPort }], sidecar: true, spiffeId: serverSpiffeId }],
  };
}
