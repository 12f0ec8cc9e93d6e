/**
 * Test helper: turns Istio YAML (one or more documents) into the kinds.ts shape
 * without the real loader, which another engineer is writing. Only what the
 * mTLS and JWT engines read is filled in.
 */
import { parseAllDocuments } from 'yaml';
import type { PeerAuthentication, RequestAuthentication } from '../../../src/config/kinds.js';

type Kind = PeerAuthentication | RequestAuthentication;

export function fromYaml<T extends Kind>(text: string, file = 'test.yaml'): T[] {
  return parseAllDocuments(text).map((doc, document) => {
    const raw = doc.toJS() as { apiVersion: string; kind: T['kind']; metadata: T['metadata']; spec?: T['spec'] };
    return {
      apiVersion: raw.apiVersion,
      group: 'security.istio.io',
      kind: raw.kind,
      metadata: { ...raw.metadata, namespace: raw.metadata.namespace ?? 'default' },
      spec: raw.spec ?? {},
      source: { file, document, line: 1, column: 1 },
    } as T;
  });
}

/** A PeerAuthentication built in code, for tables of cases. */
export function pa(
  ns: string,
  name: string,
  spec: PeerAuthentication['spec'],
  creationTimestamp?: string,
): PeerAuthentication {
  return {
    apiVersion: 'security.istio.io/v1',
    group: 'security.istio.io',
    kind: 'PeerAuthentication',
    metadata: { namespace: ns, name, ...(creationTimestamp ? { creationTimestamp } : {}) },
    spec,
    source: { file: 'test', document: 0, line: 1, column: 1 },
  };
}
