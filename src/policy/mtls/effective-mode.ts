/**
 * The effective mutual-TLS mode of one workload port, decided the way istiod
 * composes PeerAuthentication (pilot `ComposePeerAuthentication`):
 *
 * 1. at most one policy per level wins — mesh (root namespace, no selector),
 *    namespace (the workload's namespace, no selector), workload (the workload's
 *    namespace, a selector matching its labels); ties go to the oldest
 *    `creationTimestamp`, then the name;
 * 2. a root-namespace policy *with* a selector is ignored (Istio does the same);
 * 3. levels apply in mesh → namespace → workload order, `UNSET` (or no `mtls`)
 *    inherits from the level above; nothing set anywhere → PERMISSIVE;
 * 4. `portLevelMtls` counts only on the workload-level policy, is keyed by the
 *    workload's own (container) port, and an `UNSET` port inherits the
 *    workload's mode.
 */
import type { MeshConfig, MtlsMode, PeerAuthentication } from '../../config/kinds.js';
import { compareByAge, selectorMatches, type WorkloadRef } from '../workload.js';

export type EffectiveMode = Exclude<MtlsMode, 'UNSET'>;

/** What decided the mode, for `meshguard check` and the proxy's debug output. */
export interface MtlsDecision {
  mode: EffectiveMode;
  /** `ns/name` of the policy that set the mode, `null` when the PERMISSIVE default applies. */
  policy: string | null;
  /** True when a `portLevelMtls` entry decided. */
  portLevel: boolean;
  reason: string;
  /** Every step taken, when `explain` was asked for. */
  trace?: string[];
}

/** Istio's default when no policy sets a mode: accept both mTLS and plaintext. */
const DEFAULT_MODE: EffectiveMode = 'PERMISSIVE';

function hasSelector(pa: PeerAuthentication): boolean {
  const labels = pa.spec.selector?.matchLabels;
  return labels !== undefined && Object.keys(labels).length > 0;
}

function setMode(mode: MtlsMode | undefined): EffectiveMode | undefined {
  return mode === undefined || mode === 'UNSET' ? undefined : mode;
}

const nameOf = (pa: PeerAuthentication): string => `${pa.metadata.namespace}/${pa.metadata.name}`;

/** The three candidate lists, each sorted oldest first; built once by the compiled form. */
interface Levels {
  mesh: PeerAuthentication | undefined;
  namespaces: Map<string, PeerAuthentication>;
  /** Per namespace, selector policies oldest first: the first that matches wins. */
  workloads: Map<string, PeerAuthentication[]>;
}

function buildLevels(policies: readonly PeerAuthentication[], mesh: MeshConfig): Levels {
  const sorted = [...policies].sort(compareByAge);
  const levels: Levels = { mesh: undefined, namespaces: new Map(), workloads: new Map() };
  for (const pa of sorted) {
    const ns = pa.metadata.namespace;
    if (!hasSelector(pa)) {
      if (ns === mesh.rootNamespace) levels.mesh ??= pa;
      else if (!levels.namespaces.has(ns)) levels.namespaces.set(ns, pa);
    } else if (ns !== mesh.rootNamespace) {
      const list = levels.workloads.get(ns) ?? [];
      list.push(pa);
      levels.workloads.set(ns, list);
    }
    // A selector policy in the root namespace is ignored, as istiod does.
  }
  return levels;
}

function decide(levels: Levels, workload: WorkloadRef, port: number, trace: string[] | undefined): MtlsDecision {
  let mode: EffectiveMode = DEFAULT_MODE;
  let policy: string | null = null;
  let reason = 'no PeerAuthentication sets a mode: PERMISSIVE by default';
  const step = (pa: PeerAuthentication | undefined, level: string): void => {
    if (!pa) {
      trace?.push(`${level}: no policy`);
      return;
    }
    const m = setMode(pa.spec.mtls?.mode);
    if (!m) {
      trace?.push(`${level}: ${nameOf(pa)} leaves the mode UNSET, inherits ${mode}`);
      return;
    }
    mode = m;
    policy = nameOf(pa);
    reason = `${level} policy ${policy} sets ${m}`;
    trace?.push(`${level}: ${policy} sets ${m}`);
  };
  step(levels.mesh, 'mesh');
  step(levels.namespaces.get(workload.namespace), 'namespace');
  const candidates = levels.workloads.get(workload.namespace) ?? [];
  const wl = candidates.find((pa) => selectorMatches(pa.spec.selector, workload.labels));
  step(wl, 'workload');
  const entry = wl?.spec.portLevelMtls?.[String(port)];
  if (!wl || !entry) return { mode, policy, portLevel: false, reason, ...(trace ? { trace } : {}) };
  const portMode = setMode(entry.mode);
  if (!portMode) {
    trace?.push(`port ${port}: ${nameOf(wl)} leaves it UNSET, inherits ${mode}`);
    return { mode, policy, portLevel: false, reason, ...(trace ? { trace } : {}) };
  }
  trace?.push(`port ${port}: ${nameOf(wl)} sets ${portMode}`);
  return {
    mode: portMode,
    policy: nameOf(wl),
    portLevel: true,
    reason: `workload policy ${nameOf(wl)} sets ${portMode} on port ${port}`,
    ...(trace ? { trace } : {}),
  };
}

/**
 * The mode a server sidecar enforces on `port` (the workload's own port, not
 * the Service port) of `workload`.
 *
 * @example
 * effectiveMtls([meshStrict, webappPermissive], DEFAULT_MESH_CONFIG,
 *   { namespace: 'istioinaction', labels: { app: 'webapp' } }, 8080)
 * // → { mode: 'PERMISSIVE', policy: 'istioinaction/webapp', portLevel: false, reason: '…' }
 */
export function effectiveMtls(
  policies: readonly PeerAuthentication[],
  mesh: MeshConfig,
  workload: WorkloadRef,
  port: number,
  opts: { explain?: boolean } = {},
): MtlsDecision {
  return decide(buildLevels(policies, mesh), workload, port, opts.explain ? [] : undefined);
}

/** A PeerAuthentication set indexed once, for the proxy's per-connection lookups. */
export interface CompiledPeerAuthentication {
  lookup(workload: WorkloadRef, port: number): MtlsDecision;
}

/**
 * Index the policies by level and namespace once; each `lookup` then costs the
 * workload-level selector checks of one namespace only.
 *
 * @example
 * const mtls = compilePeerAuthentication(policies, mesh);
 * mtls.lookup({ namespace: 'shop', labels: { app: 'cart' } }, 8080).mode; // 'STRICT'
 */
export function compilePeerAuthentication(
  policies: readonly PeerAuthentication[],
  mesh: MeshConfig,
): CompiledPeerAuthentication {
  const levels = buildLevels(policies, mesh);
  return { lookup: (workload, port) => decide(levels, workload, port, undefined) };
}
