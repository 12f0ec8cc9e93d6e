/**
 * Resources between their three shapes: the parsed `Resource` of `config/`,
 * the document sent over the admin API (apiVersion/kind/metadata/spec), and the
 * store's `ResourceRecord` (canonical JSON body, timestamps kept by the store).
 * The control plane validates every document again with `config/`'s loader:
 * the CLI's check is a convenience, this one is the gate.
 */
import { DEFAULT_MESH_CONFIG, formatConfigError, parseDocuments, type MeshConfig, type Resource } from '../../config/index.js';
import type { ResourceInput, ResourceKey, ResourceRecord } from '../store/store.js';
import { canonicalJson } from './content-hash.js';
import { ConfigRejectedError, DISTRIBUTION_ERROR_CODES } from './errors.js';

/** A resource as sent to and from the admin API. */
export interface ResourceDocument {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string; namespace: string };
  spec: unknown;
}

/** The mesh config is stored as one resource under this key. */
export const MESH_CONFIG_KEY: ResourceKey = Object.freeze({ group: 'meshguard.dev', kind: 'MeshConfig', namespace: '', name: 'mesh' });

/** What the admin API's apply and delete take. */
export interface ConfigRequest {
  resources: ResourceDocument[];
  /** Present when the inputs held a mesh config (an `istio` ConfigMap or `--mesh-config`). */
  mesh?: MeshConfig;
}

/** @example toDocument(loaded.resources[0]) // { apiVersion, kind, metadata, spec } */
export function toDocument(r: Resource): ResourceDocument {
  return { apiVersion: r.apiVersion, kind: r.kind, metadata: { ...r.metadata }, spec: r.spec };
}

/** `creationTimestamp` is the server's to set (as in Kubernetes): it never enters the stored body. */
export function toInput(r: Resource): ResourceInput {
  const { creationTimestamp: _ignored, ...metadata } = r.metadata;
  return {
    group: r.group, kind: r.kind, namespace: r.metadata.namespace, name: r.metadata.name,
    apiVersion: r.apiVersion, body: canonicalJson({ metadata, spec: r.spec }),
  };
}

/** The stored record as a `Resource`; `source` names where it lives, since no file does. */
export function fromRecord(rec: ResourceRecord): Resource {
  const body = JSON.parse(rec.body) as { metadata: Resource['metadata']; spec: unknown };
  return {
    apiVersion: rec.apiVersion, group: rec.group, kind: rec.kind,
    metadata: { ...body.metadata, creationTimestamp: rec.creationTimestamp }, spec: body.spec,
    source: { file: `mesh:${kubectlRef({ ...rec, metadata: rec })}`, line: 1, column: 1, document: 0 },
  } as Resource;
}

/** kubectl's way of naming a resource: `authorizationpolicy.security.istio.io/deny-all`, `service/web`. */
export function kubectlRef(r: { kind: string; group: string; metadata: { name: string } }): string {
  return `${r.kind.toLowerCase()}${r.group ? `.${r.group}` : ''}/${r.metadata.name}`;
}

/** MeshConfig back to the YAML shape users write, so the loader can check it. */
export function meshToRaw(mesh: MeshConfig): Record<string, unknown> {
  return {
    rootNamespace: mesh.rootNamespace, trustDomain: mesh.trustDomain, trustDomainAliases: mesh.trustDomainAliases,
    extensionProviders: mesh.extensionProviders, pathNormalization: { normalization: mesh.pathNormalization },
    outboundTrafficPolicy: { mode: mesh.outboundTrafficPolicy },
  };
}

/** The running mesh's config: the stored one, or Istio's defaults in the control plane's trust domain. */
export function meshFromRecord(rec: ResourceRecord | undefined, trustDomain: string): MeshConfig {
  return rec ? (JSON.parse(rec.body) as MeshConfig) : { ...DEFAULT_MESH_CONFIG, trustDomain };
}

/**
 * Validates an admin request as the CLI would have: every document through
 * `parseDocuments`, and the mesh config's trust domain against ours. Throws
 * `ConfigRejectedError` listing every problem; returns the parsed resources.
 *
 * @example const { resources, mesh } = validateRequest(body, 'cluster.local');
 */
export function validateRequest(body: unknown, trustDomain: string): { resources: Resource[]; mesh: MeshConfig | undefined } {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as ConfigRequest).resources)) {
    throw new ConfigRejectedError(['the request must be {"resources": [...], "mesh"?: {...}}']);
  }
  const req = body as ConfigRequest;
  const hasMesh = req.mesh !== undefined && req.mesh !== null;
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: req.resources }, null, 1);
  const meshConfigFile = hasMesh ? { file: '<request>.mesh', text: JSON.stringify(meshToRaw(req.mesh as MeshConfig), null, 1) } : undefined;
  const loaded = parseDocuments([{ file: '<request>', text }], meshConfigFile ? { meshConfigFile } : {});
  const problems = loaded.errors.map(formatConfigError);
  if (loaded.resources.length + problems.length < req.resources.length && problems.length === 0) {
    problems.push('some documents are not kinds meshguard reads');
  }
  if (problems.length > 0) throw new ConfigRejectedError(problems);
  if (hasMesh && loaded.mesh.trustDomain !== trustDomain) {
    throw new ConfigRejectedError([`mesh config trustDomain "${loaded.mesh.trustDomain}" is not the control plane's "${trustDomain}"`], DISTRIBUTION_ERROR_CODES.trustDomain);
  }
  return { resources: loaded.resources, mesh: hasMesh ? loaded.mesh : undefined };
}
