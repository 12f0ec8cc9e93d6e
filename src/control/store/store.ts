/**
 * The control plane's store, as a narrow interface so that a PostgreSQL backend
 * can follow the embedded SQLite one (`sqlite.ts`). Every backend must pass
 * `test/control/store/conformance.ts`. Methods are async because the network
 * backends are; values are plain data, times are epoch milliseconds.
 *
 * The store never sees a token secret: only its keyed hash (`tokens/token-secret.ts`).
 */

/** A SPIRE-like registration entry: workloads whose attested selectors include all of `selectors` get `spiffeId`. */
export interface EntryRecord {
  id: string;
  spiffeId: string;
  /** `type:value`, e.g. `k8s:ns:payments`; sorted, no duplicates. */
  selectors: string[];
  createdAt: number;
}

/** `join`: single use, for a proxy's first attestation. `local`: minted by `meshguard up`, reusable until expiry. */
export type TokenKind = 'join' | 'local';

export interface TokenRecord {
  id: string;
  kind: TokenKind;
  /** HMAC-SHA256 of the secret under the server's pepper, hex. Never the secret. */
  hash: string;
  namespace: string;
  serviceAccount: string;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  revokedAt: number | null;
}

/** One certificate the CA issued, kept to list and audit issuance. */
export interface IssuedCertRecord {
  /** Hex serial number, unique per CA. */
  serial: string;
  spiffeId: string;
  notAfter: number;
  issuedAt: number;
  /** What vouched for it (`{}`: nothing revocable), so a renewal can be refused once that is gone; absent when not tracked. */
  lineage?: IssuedCertLineage;
}

/** The registration entry and the token an issued certificate descends from. */
export interface IssuedCertLineage {
  entryId?: string;
  tokenId?: string;
}

/** SPIRE's two CA slots: the active key/certificate and the one prepared for rotation. */
export type CaSlotName = 'current' | 'next';

export interface CaSlotRecord {
  slot: CaSlotName;
  /** Key store reference (never private key bytes). */
  keyId: string;
  certificatePem: string;
  notBefore: number;
  notAfter: number;
  updatedAt: number;
}

/** Names one resource of the mesh: API group (`` for core) + kind + namespace + name. */
export interface ResourceKey {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/** What `meshguard apply` writes. `body` is canonical JSON of `{metadata, spec}` (without `creationTimestamp`). */
export interface ResourceInput extends ResourceKey {
  apiVersion: string;
  /** Compared byte for byte to decide "unchanged": callers canonicalize it (sorted keys). */
  body: string;
}

export interface ResourceRecord extends ResourceInput {
  /** RFC 3339, stamped by the store on create and kept on every update, so "oldest wins" holds. */
  creationTimestamp: string;
  /** 1 on create, +1 on every change of `body` or `apiVersion`. */
  generation: number;
  updatedAt: number;
}

/** kubectl's words for what an apply did. */
export type PutResourceResult = 'created' | 'configured' | 'unchanged';

export interface Store {
  createEntry(entry: EntryRecord): Promise<void>;
  getEntry(id: string): Promise<EntryRecord | undefined>;
  listEntries(): Promise<EntryRecord[]>;
  /** Resolves `true` when an entry was deleted. */
  deleteEntry(id: string): Promise<boolean>;

  createToken(token: TokenRecord): Promise<void>;
  getToken(id: string): Promise<TokenRecord | undefined>;
  findTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  listTokens(): Promise<TokenRecord[]>;
  /**
   * Marks an unused, unrevoked token used, atomically: of any number of
   * concurrent calls for one token exactly one resolves `true`.
   */
  markTokenUsed(id: string, at: number): Promise<boolean>;
  /** Resolves `true` when the token existed and was not already revoked. */
  revokeToken(id: string, at: number): Promise<boolean>;

  /** Records certificates in one transaction (callers batch; see `issued-cert-recorder.ts`). */
  recordIssuedCertificates(records: readonly IssuedCertRecord[]): Promise<void>;
  listIssuedCertificates(filter?: { spiffeId?: string; limit?: number }): Promise<IssuedCertRecord[]>;
  /** The record of one serial (hex, as recorded), or undefined. */
  getIssuedCertificate(serial: string): Promise<IssuedCertRecord | undefined>;

  getCaMetadata(key: string): Promise<string | undefined>;
  setCaMetadata(key: string, value: string): Promise<void>;
  getCaSlot(slot: CaSlotName): Promise<CaSlotRecord | undefined>;
  putCaSlot(record: CaSlotRecord): Promise<void>;

  /**
   * Creates or updates a resource. On create `creationTimestamp` is `at` (RFC 3339);
   * on update it is kept. Bumps the config version unless the result is `unchanged`.
   */
  putResource(input: ResourceInput, at: number): Promise<{ result: PutResourceResult; record: ResourceRecord }>;
  getResource(key: ResourceKey): Promise<ResourceRecord | undefined>;
  /** Resolves `true` when the resource existed (and bumps the config version). */
  deleteResource(key: ResourceKey): Promise<boolean>;
  /** Every resource, ordered by group, kind, namespace, name. */
  listResources(): Promise<ResourceRecord[]>;
  /** Drops every resource (`meshguard up` starts from the files it is given); resolves how many there were. */
  clearResources(): Promise<number>;
  /** A counter bumped by every resource change; 0 for a new store. */
  getConfigVersion(): Promise<number>;

  close(): Promise<void>;
}
