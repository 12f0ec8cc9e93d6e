/**
 * A snapshot compiled for the per-request path: the mTLS modes, the
 * authorization plan, the jwtRules of this workload and a token cache. Built
 * whole, then swapped in one assignment, so a request sees either the old
 * state or the new one, never a mix. A snapshot that fails to compile is
 * refused and the old state stays.
 */
import type { JwtRule, PathNormalization } from '../../config/kinds.js';
import { compileAuthorization, type CompiledAuthz } from '../../policy/authz/index.js';
import { jwtRulesOf, requestAuthenticationsFor } from '../../policy/jwt/index.js';
import { compilePeerAuthentication, type EffectiveMode } from '../../policy/mtls/index.js';
import { selectorMatches, type WorkloadRef } from '../../policy/workload.js';
import type { ProxySnapshot } from '../model.js';
import { INBOUND_ERROR_CODES, InboundError } from './errors.js';
import { TokenCache } from './token-cache.js';
import { extAuthzProviders, type ProviderLookup } from '../ext-authz/index.js';

export interface ProxyState {
  readonly version: string;
  readonly snapshot: ProxySnapshot;
  /** One object for the life of the state: the authz engine caches its plan per workload object. */
  readonly workload: WorkloadRef;
  readonly namespace: string;
  readonly authz: CompiledAuthz;
  readonly jwtRules: readonly JwtRule[];
  /** Every rule reads only `Authorization: Bearer` and `?access_token`: the token cache can key on the header. */
  readonly jwtDefaultLocations: boolean;
  readonly tokenCache: TokenCache;
  readonly pathNormalization: PathNormalization;
  /** The mesh's ext_authz providers by name, parsed once per snapshot (CUSTOM policies ask them). */
  readonly extAuthzProviders: ReadonlyMap<string, ProviderLookup>;
  /** The mTLS mode of a workload (container) port. */
  modeOf(port: number): EffectiveMode;
}

function readsDefaultLocationsOnly(rules: readonly JwtRule[]): boolean {
  return rules.every((r) => !r.fromHeaders?.length && !r.fromParams?.length && !r.fromCookies?.length);
}

/**
 * Compile a snapshot, or throw `MG_PROXY_SNAPSHOT_REJECTED`.
 *
 * @example
 * const state = compileProxyState(snapshot);
 * state.modeOf(8080) // 'STRICT'
 */
export function compileProxyState(snapshot: ProxySnapshot, tokenCacheOptions?: { maxSize?: number; maxTtlMs?: number }): ProxyState {
  try {
    const { mesh, workload: w } = snapshot;
    // A Service selects the workload when its (non-empty) selector matches: for targetRef(s) of kind Service.
    const services = snapshot.services
      .filter((s) => s.metadata.namespace === w.namespace && s.spec.selector && Object.keys(s.spec.selector).length > 0)
      .filter((s) => selectorMatches({ matchLabels: s.spec.selector }, w.labels))
      .map((s) => s.metadata.name);
    const workload: WorkloadRef = { namespace: w.namespace, labels: w.labels, services };
    const mtls = compilePeerAuthentication(snapshot.peerAuthentications, mesh);
    const modes = new Map<number, EffectiveMode>();
    const authz = compileAuthorization(snapshot.authorizationPolicies, mesh);
    const { rules } = jwtRulesOf(requestAuthenticationsFor(snapshot.requestAuthentications, mesh, workload));
    return {
      version: snapshot.version,
      snapshot,
      workload,
      namespace: w.namespace,
      authz,
      jwtRules: rules,
      jwtDefaultLocations: readsDefaultLocationsOnly(rules),
      tokenCache: new TokenCache(tokenCacheOptions),
      pathNormalization: mesh.pathNormalization,
      extAuthzProviders: extAuthzProviders(mesh),
      modeOf(port) {
        let m = modes.get(port);
        if (m === undefined) {
          m = mtls.lookup(workload, port).mode;
          modes.set(port, m);
        }
        return m;
      },
    };
  } catch (cause) {
    throw new InboundError(INBOUND_ERROR_CODES.SNAPSHOT_REJECTED, `snapshot ${String(snapshot?.version)} cannot be compiled; keeping the previous one`, { cause });
  }
}
