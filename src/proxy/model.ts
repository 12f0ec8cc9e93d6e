/**
 * What a sidecar proxy runs on: its identity (an X.509-SVID and the trust bundle)
 * and a snapshot of configuration (only what applies to its workload, versioned).
 * The control plane produces snapshots (`control/distribution`); tests and
 * `meshguard up` build them the same way. Inbound and outbound read only these types.
 */
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

/**
 * A workload of the mesh as the proxies see it, and the snapshot a proxy runs on:
 * the shapes the control plane sends on the config stream (`src/wire/`), so both
 * sides share one definition.
 */
export type { SnapshotEndpoint as Endpoint, DistributedSnapshot as ProxySnapshot } from '../wire/index.js';
