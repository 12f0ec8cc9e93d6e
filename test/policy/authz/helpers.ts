/**
 * Test helpers: AuthorizationPolicy objects from YAML (in the kinds.ts shape, so
 * these tests do not depend on the config loader) and compact request builders.
 */
import { parseAllDocuments } from 'yaml';
import { DEFAULT_MESH_CONFIG, type AuthorizationPolicy, type MeshConfig } from '../../../src/config/kinds.js';
import type { AuthzRequest } from '../../../src/policy/authz/index.js';
import type { WorkloadRef } from '../../../src/policy/workload.js';

/** Turn one parsed document into the kinds.ts shape. */
export function toPolicy(doc: Record<string, unknown>, index = 0, file = 'test.yaml'): AuthorizationPolicy {
  const meta = (doc['metadata'] ?? {}) as AuthorizationPolicy['metadata'];
  const apiVersion = String(doc['apiVersion'] ?? 'security.istio.io/v1');
  return {
    apiVersion,
    group: 'security.istio.io',
    kind: 'AuthorizationPolicy',
    metadata: { ...meta, namespace: meta.namespace ?? 'default' },
    spec: (doc['spec'] ?? {}) as AuthorizationPolicy['spec'],
    source: { file, line: 1, column: 1, document: index },
  };
}

/** Every document of a multi-document YAML text, as policies. */
export function policiesFromYaml(text: string): AuthorizationPolicy[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((d): d is Record<string, unknown> => d !== null)
    .map((d, i) => toPolicy(d, i));
}

export function meshWith(overrides: Partial<MeshConfig> = {}): MeshConfig {
  return { ...DEFAULT_MESH_CONFIG, ...overrides };
}

export interface RequestSketch {
  workload?: WorkloadRef;
  protocol?: 'http' | 'tcp';
  principal?: string;
  ip?: string;
  remoteIp?: string;
  port?: number;
  destinationIp?: string;
  sni?: string;
  method?: string;
  host?: string;
  path?: string;
  headers?: Record<string, string | string[]>;
  jwt?: { iss: string; sub: string; aud?: string[]; azp?: string; [claim: string]: unknown };
}

export const WEBAPP: WorkloadRef = { namespace: 'istioinaction', labels: { app: 'webapp' } };

/** A request with sensible defaults (plaintext GET / to webapp on 8080). */
export function request(s: RequestSketch = {}): AuthzRequest {
  const protocol = s.protocol ?? 'http';
  const req: AuthzRequest = {
    workload: s.workload ?? WEBAPP,
    protocol,
    source: { principal: s.principal, ip: s.ip ?? '10.0.0.1', remoteIp: s.remoteIp },
    destination: { port: s.port ?? 8080, ip: s.destinationIp },
    sni: s.sni,
  };
  if (protocol === 'http') {
    req.http = { method: s.method ?? 'GET', host: s.host ?? 'webapp.istioinaction', path: s.path ?? '/', headers: s.headers ?? {} };
  }
  if (s.jwt) {
    const { aud, azp, ...claims } = s.jwt;
    req.auth = { principal: `${s.jwt.iss}/${s.jwt.sub}`, claims: { ...claims, ...(aud ? { aud } : {}) }, audiences: aud ?? [], presenter: azp };
  }
  return req;
}
