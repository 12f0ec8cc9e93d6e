/**
 * What a sidecar proxy runs on: its identity (an X.509-SVID and the trust bundle)
 * and a snapshot of configuration (only what applies to its workload, versioned).
 * The control plane produces snapshots (`control/distribution`); tests and
 * `meshguard up` build them the same way. Inbound and outbound read only these types.
 */
import type {
  AuthorizationPolicy, MeshConfig, PeerAuthentication, RequestAuthentication, Service, WorkloadPort,
} from '../config/kinds.js';

/** The proxy's own credentials. The key stays in the proxy's memory (and a 0600 file). */
export interface ProxyIdentity {
  /** `spiffe://cluster.local/ns/istioinaction/sa/webapp` */
  spiffeId: string;
  /** Leaf first, then intermediates. */
  certChainPem: string;
  keyPem: string;
  /** Trust anchors of the trust domain (and federated ones): verify peers against these. */
  bundlePem: string;
  notAfter: Date;
}

/** Supplies the current identity and says when it changes (renewal, root rotation). */
export interface IdentitySource {
  current(): ProxyIdentity;
  /** Registers a listener called after every change; returns a function that removes it. */
  onChange(listener: (identity: ProxyIdentity) => void): () => void;
}

/** A workload of the mesh as the proxies see it: where it is and who it is. */
export interface Endpoint {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** Loopback address it (its sidecar, when it has one) listens on, e.g. `127.10.0.2`. */
  address: string;
  ports: WorkloadPort[];
  /** Has a sidecar: reached with mTLS (auto mTLS); otherwise plaintext. */
  sidecar: boolean;
  /** Expected server identity for secure naming, `spiffe://<td>/ns/<ns>/sa/<sa>`; null without a sidecar. */
  spiffeId: string | null;
}

export interface ProxySnapshot {
  /** Opaque version (a hash of the content); the proxy ACKs or NACKs it by this value. */
  version: string;
  mesh: MeshConfig;
  /** The workload this proxy serves. */
  workload: Endpoint & { serviceAccount: string };
  peerAuthentications: PeerAuthentication[];
  requestAuthentications: RequestAuthentication[];
  authorizationPolicies: AuthorizationPolicy[];
  /** Services and endpoints of the mesh, for outbound resolution. */
  services: Service[];
  endpoints: Endpoint[];
}
