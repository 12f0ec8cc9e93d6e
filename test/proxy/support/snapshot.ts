// Snapshots for proxy tests: a workload plus policies loaded from YAML (the
// examples of the seeds, or text written in the test), through the real loader.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MESH_CONFIG, parseDocuments, type AuthorizationPolicy, type PeerAuthentication, type RequestAuthentication } from '../../../src/config/index.js';
import type { ProxySnapshot } from '../../../src/proxy/model.js';

export const EXAMPLES = join(import.meta.dirname, '../../../examples/istio-in-action');

/** Resources from YAML text (throws on a load error: a broken fixture is a broken test). */
export function resourcesFrom(files: { file: string; text: string }[]) {
  const r = parseDocuments(files);
  if (r.errors.length) throw new Error(r.errors.map((e) => e.message).join('\n'));
  const of = <T>(kind: string) => r.resources.filter((x) => x.kind === kind) as T[];
  return {
    peerAuthentications: of<PeerAuthentication>('PeerAuthentication'),
    requestAuthentications: of<RequestAuthentication>('RequestAuthentication'),
    authorizationPolicies: of<AuthorizationPolicy>('AuthorizationPolicy'),
  };
}

export function exampleFile(rel: string): { file: string; text: string } {
  return { file: rel, text: readFileSync(join(EXAMPLES, rel), 'utf8') };
}

/** The mTLS mode for the whole mesh as a PeerAuthentication YAML. */
export function meshMtls(mode: 'STRICT' | 'PERMISSIVE' | 'DISABLE'): { file: string; text: string } {
  return { file: `mesh-${mode}.yaml`, text: `apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: ${mode}}}\n` };
}

/** A snapshot for `webapp` in `istioinaction` with the given resources. */
export function snapshotFor(files: { file: string; text: string }[], version = '1', workload: { namespace?: string; name?: string; labels?: Record<string, string> } = {}): ProxySnapshot {
  const res = resourcesFrom(files);
  const namespace = workload.namespace ?? 'istioinaction';
  const name = workload.name ?? 'webapp';
  return {
    version,
    mesh: DEFAULT_MESH_CONFIG,
    workload: {
      namespace, name, labels: workload.labels ?? { app: name }, address: '127.0.0.1', ports: [{ port: 8080, protocol: 'http' }],
      sidecar: true, spiffeId: `spiffe://cluster.local/ns/${namespace}/sa/${name}`, serviceAccount: name,
    },
    ...res,
    services: [],
    endpoints: [],
  };
}
