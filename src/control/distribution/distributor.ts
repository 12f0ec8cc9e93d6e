/**
 * The control plane's side of configuration distribution: writes `apply` and
 * `delete` to the store, rebuilds the mesh state after a change (debounced),
 * and sends each connected proxy its snapshot when — and only when — that
 * snapshot's version differs from the last one it was sent. Keeps per-proxy
 * sync state for `meshguard proxy-status`.
 */
import type { Logger } from 'pino';
import type { MeshConfig, Resource } from '../../config/index.js';
import type { DistributedSnapshot as ProxySnapshot } from './wire.js';
import type { Store } from '../store/store.js';
import { syncStatus, type ProxyRecord, type ProxyStatus } from './proxy-status.js';
import {
  fromRecord, kubectlRef, MESH_CONFIG_KEY, meshFromRecord, toDocument, toInput, validateRequest, type ResourceDocument,
} from './resource-records.js';
import { buildSnapshot, meshState, serviceAccountOf, type MeshState, type ProxyRef } from './snapshot.js';

/** Coalesces a burst of changes (one `apply -f dir/`) into one push; well under the 1 s the issue allows. */
export const DEFAULT_DEBOUNCE_MS = 50;

export interface DistributorOptions {
  store: Store;
  trustDomain: string;
  log: Logger;
  now?: () => number;
  debounceMs?: number;
}

/** One line of `apply`/`delete` output. */
export interface ChangeResult {
  ref: string;
  namespace: string;
  result: 'created' | 'configured' | 'unchanged' | 'deleted' | 'NotFound';
}

/** A connected proxy, as the stream sees it. */
export interface ProxySession {
  ack(version: string): void;
  nack(version: string, error: string): void;
  /** The connection ended: the record stays, marked disconnected. */
  detach(): void;
}

interface Live {
  id: number;
  ref: ProxyRef;
  send: (snapshot: ProxySnapshot) => void;
  guard: IdentityGuard | undefined;
}

/** The service account a proxy was authenticated as, and what to do when its workload's changes. */
export interface IdentityGuard {
  serviceAccount: string;
  /** The workload now runs as `now`: the connection must end (the proxy reconnects and is checked again). */
  revoke(now: string): void;
}

export class ConfigDistributor {
  private readonly now: () => number;
  private readonly debounceMs: number;
  private readonly records = new Map<string, ProxyRecord>();
  private readonly live = new Map<string, Live>();
  private state: Promise<MeshState> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nextId = 1;
  /** Bumped by every change: a push that read an older state must not overtake a newer one. */
  private generation = 0;
  private closed = false;

  constructor(private readonly opts: DistributorOptions) {
    this.now = opts.now ?? Date.now;
    this.debounceMs = opts.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  }

  /**
   * Validates (all or nothing), then stores every resource of the request.
   *
   * @example await distributor.apply({ resources: [toDocument(policy)] }) // [{ ref: 'authorizationpolicy.security.istio.io/deny-all', result: 'created', … }]
   */
  async apply(body: unknown): Promise<ChangeResult[]> {
    const { resources, mesh } = validateRequest(body, this.opts.trustDomain);
    const at = this.now();
    const results: ChangeResult[] = [];
    for (const r of resources) {
      const { result } = await this.opts.store.putResource(toInput(r), at);
      results.push({ ref: kubectlRef(r), namespace: r.metadata.namespace, result });
    }
    if (mesh) {
      const { result } = await this.opts.store.putResource({ ...MESH_CONFIG_KEY, apiVersion: 'meshguard.dev/v1alpha1', body: JSON.stringify(mesh) }, at);
      results.push({ ref: 'configmap/istio', namespace: mesh.rootNamespace, result });
    }
    if (results.some((r) => r.result !== 'unchanged')) this.changed();
    return results;
  }

  /** Deletes the resources a request names (validated like `apply`, as `kubectl delete -f` reads whole manifests). */
  async delete(body: unknown): Promise<ChangeResult[]> {
    const { resources, mesh } = validateRequest(body, this.opts.trustDomain);
    const results: ChangeResult[] = [];
    for (const r of resources) {
      const gone = await this.opts.store.deleteResource(toInput(r));
      results.push({ ref: kubectlRef(r), namespace: r.metadata.namespace, result: gone ? 'deleted' : 'NotFound' });
    }
    if (mesh) {
      const gone = await this.opts.store.deleteResource(MESH_CONFIG_KEY);
      results.push({ ref: 'configmap/istio', namespace: mesh.rootNamespace, result: gone ? 'deleted' : 'NotFound' });
    }
    if (results.some((r) => r.result === 'deleted')) this.changed();
    return results;
  }

  /** The running mesh's resources as documents (creationTimestamp included) and its mesh config. */
  async resources(): Promise<{ version: number; mesh: MeshConfig; items: ResourceDocument[] }> {
    const records = await this.opts.store.listResources();
    const meshRecord = records.find((r) => r.kind === MESH_CONFIG_KEY.kind && r.group === MESH_CONFIG_KEY.group);
    const items = records.filter((r) => r !== meshRecord).map((r) => toDocument(fromRecord(r)));
    return { version: await this.opts.store.getConfigVersion(), mesh: meshFromRecord(meshRecord, this.opts.trustDomain), items };
  }

  /** The trust domain proxies' certificates must belong to. */
  get trustDomain(): string {
    return this.opts.trustDomain;
  }

  /**
   * The service account a proxy of this workload runs as: its Workload resource's,
   * or (no such resource) what the hello says — the one its snapshot will carry.
   *
   * @example await distributor.serviceAccountFor({ namespace: 'shop', name: 'web' }) // 'web-sa'
   */
  async serviceAccountFor(ref: ProxyRef): Promise<string> {
    return serviceAccountOf((await this.loadState()).set, ref);
  }

  /** Every proxy seen since start, connected ones first. */
  proxyStatus(): ProxyStatus[] {
    return [...this.records.values()]
      .map((r) => ({ ...r, status: syncStatus(r) }))
      .sort((a, b) => Number(b.connected) - Number(a.connected) || `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  }

  /**
   * A proxy connected: record it and send its snapshot now. A second connection
   * for the same workload replaces the first (a restarted proxy). With `guard`, a
   * snapshot whose workload runs as another service account than the proxy was
   * authenticated as is never sent: the guard is revoked instead.
   */
  attach(ref: ProxyRef, send: (snapshot: ProxySnapshot) => void, guard?: IdentityGuard): ProxySession {
    const key = `${ref.namespace}/${ref.name}`;
    const live: Live = { id: this.nextId++, ref, send, guard };
    this.live.set(key, live);
    const record: ProxyRecord = {
      namespace: ref.namespace, name: ref.name, connected: true, connectedAt: this.now(),
      lastSentVersion: null, lastSentAt: null, lastAckedVersion: null, lastAckAt: null, lastNack: null,
    };
    this.records.set(key, record);
    void this.push(key);
    const current = () => this.live.get(key)?.id === live.id;
    return {
      ack: (version) => {
        if (!current()) return;
        record.lastAckedVersion = version;
        record.lastAckAt = this.now();
      },
      nack: (version, error) => {
        if (!current()) return;
        record.lastNack = { version, error, at: this.now() };
        this.opts.log.warn({ proxy: key, version, error }, 'proxy refused a snapshot; it keeps serving its last good one');
      },
      detach: () => {
        if (!current()) return;
        this.live.delete(key);
        record.connected = false;
      },
    };
  }

  /** Something changed in the store: rebuild and push after the debounce. */
  changed(): void {
    this.state = undefined;
    this.generation++;
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const key of this.live.keys()) void this.push(key);
    }, this.debounceMs);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.live.clear();
  }

  private loadState(): Promise<MeshState> {
    return (this.state ??= (async () => {
      const records = await this.opts.store.listResources();
      const meshRecord = records.find((r) => r.kind === MESH_CONFIG_KEY.kind && r.group === MESH_CONFIG_KEY.group);
      const resources: Resource[] = records.filter((r) => r !== meshRecord).map(fromRecord);
      return meshState(meshFromRecord(meshRecord, this.opts.trustDomain), resources);
    })());
  }

  private async push(key: string): Promise<void> {
    let live = this.live.get(key);
    if (!live) return;
    const generation = this.generation;
    let snapshot: ProxySnapshot;
    try {
      snapshot = buildSnapshot(await this.loadState(), live.ref);
    } catch (err) {
      this.state = undefined; // a failed read is retried on the next change, not cached
      this.opts.log.error({ err, proxy: key }, 'building a snapshot failed');
      return;
    }
    // Stale: the store changed while this state loaded; the debounced push that follows sends the newer one.
    if (generation !== this.generation) return;
    live = this.live.get(key); // it may have gone (or been replaced) while the state loaded
    const record = this.records.get(key);
    if (!live || !record) return;
    // Fail closed: a Workload applied (or changed) after the proxy connected may name another service
    // account than its SVID; that proxy must not see the workload's snapshot.
    if (live.guard && snapshot.workload.serviceAccount !== live.guard.serviceAccount) {
      live.guard.revoke(snapshot.workload.serviceAccount);
      return;
    }
    if (record.lastSentVersion === snapshot.version) return;
    record.lastSentVersion = snapshot.version;
    record.lastSentAt = this.now();
    live.send(snapshot);
  }
}
