/**
 * One request's journey through the inbound checks, in Envoy's order: the port's
 * mTLS mode (is the connection accepted at all?), path validation, end-user
 * authentication (RequestAuthentication), then authorization. `meshguard check`
 * calls this; each stage's own engine is what the proxy calls per request.
 */
import type { AuthorizationPolicy, MeshConfig, PeerAuthentication, RequestAuthentication } from '../config/kinds.js';
import { authorize, compileAuthorization, type AuthzDecision, type CompiledAuthz } from './authz/index.js';
import type { HeaderMap } from './http/headers.js';
import { normalizePath } from './http/normalize-path.js';
import {
  authenticate, claimsToAuthAttributes, JWT_FAILURES, jwtRulesOf, requestAuthenticationsFor, type AuthnResult, type KeyResolver,
} from './jwt/index.js';
import { effectiveMtls, type MtlsDecision } from './mtls/index.js';
import type { WorkloadRef } from './workload.js';

/** The configuration a decision reads, compiled once. */
export interface DecisionConfig {
  mesh: MeshConfig;
  peerAuthentications: readonly PeerAuthentication[];
  requestAuthentications: readonly RequestAuthentication[];
  authz: CompiledAuthz;
}

export function compileDecisionConfig(
  mesh: MeshConfig,
  resources: { peerAuthentications: readonly PeerAuthentication[]; requestAuthentications: readonly RequestAuthentication[]; authorizationPolicies: readonly AuthorizationPolicy[] },
): DecisionConfig {
  return {
    mesh,
    peerAuthentications: resources.peerAuthentications,
    requestAuthentications: resources.requestAuthentications,
    authz: compileAuthorization(resources.authorizationPolicies, mesh),
  };
}

export interface RequestFacts {
  workload: WorkloadRef;
  port: number;
  protocol: 'http' | 'tcp';
  /** Peer principal without scheme; absent means the client sent plaintext. */
  source: { principal?: string; ip?: string; remoteIp?: string };
  destinationIp?: string;
  sni?: string;
  http?: { method: string; host: string; path: string; headers: HeaderMap };
  /** A raw token to verify, as if sent in `Authorization: Bearer`. */
  token?: string;
  /** The payload of a token an applying RequestAuthentication already validated. */
  claims?: Record<string, unknown>;
}

export type Response = 200 | 400 | 401 | 403 | 'connection-closed' | 'ext-authz';

export interface RequestOutcome {
  mtls: MtlsDecision;
  connection: 'accepted' | 'closed';
  /** Why the peer identity is not used, when the client had one but the port is DISABLE. */
  identityNote: string | null;
  authn: AuthnResult | { result: 'not-evaluated'; reason: string };
  authz: AuthzDecision | null;
  response: Response;
  /** For a 400: why Envoy refuses the path. */
  pathError: string | null;
}

/**
 * Decides what happens to one request, and why.
 *
 * @example
 * const cfg = compileDecisionConfig(mesh, { peerAuthentications, requestAuthentications, authorizationPolicies });
 * const out = await decideRequest(cfg, { workload, port: 8080, protocol: 'http', source: {}, http }, keys, new Date());
 * out.response // 403
 */
export async function decideRequest(
  cfg: DecisionConfig,
  facts: RequestFacts,
  keys: KeyResolver,
  now: Date,
  opts: { explain?: boolean } = {},
): Promise<RequestOutcome> {
  const mtls = effectiveMtls(cfg.peerAuthentications, cfg.mesh, facts.workload, facts.port, opts);
  const plaintext = facts.source.principal === undefined;
  const notEvaluated = (reason: string) => ({ result: 'not-evaluated' as const, reason });

  if (plaintext && mtls.mode === 'STRICT') {
    // Envoy finds no filter chain for plaintext on a STRICT port and closes (NR filter_chain_not_found).
    return { mtls, connection: 'closed', identityNote: null, authn: notEvaluated('the connection was closed'), authz: null, response: 'connection-closed', pathError: null };
  }
  let source = facts.source;
  let identityNote: string | null = null;
  if (!plaintext && mtls.mode === 'DISABLE') {
    // The server side takes plaintext only, and auto mTLS sends plaintext to it: no peer identity reaches authz.
    identityNote = `the port is DISABLE, so the connection is plaintext and the peer identity ${facts.source.principal} is not available`;
    source = { ...facts.source, principal: undefined };
  }

  let auth: AuthnResult | ReturnType<typeof notEvaluated> = notEvaluated('TCP traffic carries no end-user token');
  if (facts.protocol === 'http' && facts.http) {
    const path = normalizePath(facts.http.path, cfg.mesh.pathNormalization);
    if (!path.ok) {
      return { mtls, connection: 'accepted', identityNote, authn: notEvaluated('the request was refused before authentication'), authz: null, response: 400, pathError: path.reason };
    }
    auth = await authenticateFacts(cfg, facts, keys, now);
    if (auth.result === 'invalid') {
      return { mtls, connection: 'accepted', identityNote, authn: auth, authz: null, response: auth.status, pathError: null };
    }
  }

  const authz = authorize(cfg.authz, {
    workload: facts.workload,
    protocol: facts.protocol,
    source,
    destination: { port: facts.port, ip: facts.destinationIp },
    sni: facts.sni,
    http: facts.protocol === 'http' ? facts.http : undefined,
    auth: auth.result === 'valid' ? { principal: auth.principal, claims: auth.claims, audiences: auth.audiences, presenter: auth.presenter } : undefined,
  }, opts);
  return { mtls, connection: 'accepted', identityNote, authn: auth, authz, response: authz.status, pathError: null };
}

async function authenticateFacts(cfg: DecisionConfig, facts: RequestFacts, keys: KeyResolver, now: Date): Promise<AuthnResult> {
  const http = facts.http!;
  const policies = requestAuthenticationsFor(cfg.requestAuthentications, cfg.mesh, facts.workload);
  const { rules } = jwtRulesOf(policies);
  if (facts.claims) return claimsOutcome(facts.claims, rules, http);
  const headers: HeaderMap = { ...http.headers };
  if (facts.token !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'authorization')) {
    headers.authorization = `Bearer ${facts.token}`;
  }
  return authenticate(rules, { headers, path: http.path, host: http.host }, keys, now);
}

/**
 * Claims given as "already validated". They stand for a token, so they get what that
 * token would get: with no RequestAuthentication applying, Envoy has no JWT filter and
 * ignores it (no request principal); with an issuer no applying rule names, 401.
 */
function claimsOutcome(claims: Record<string, unknown>, rules: ReturnType<typeof jwtRulesOf>['rules'], http: NonNullable<RequestFacts['http']>): AuthnResult {
  if (rules.length === 0) {
    return { result: 'absent', reason: 'claims were given, but no RequestAuthentication applies to this workload: the token would be ignored' };
  }
  const iss = typeof claims.iss === 'string' ? claims.iss : '';
  const index = rules.findIndex((r) => r.issuer === iss);
  if (index < 0) {
    const failure = JWT_FAILURES.MG_JWT_UNKNOWN_ISSUER;
    const q = http.path.indexOf('?');
    const uri = quotable(`http://${http.host}${q < 0 ? http.path : http.path.slice(0, q)}`).slice(0, 256);
    return {
      result: 'invalid', status: failure.status, body: failure.body, code: 'MG_JWT_UNKNOWN_ISSUER', location: 'claims',
      wwwAuthenticate: `Bearer realm="${uri}", error="invalid_token"`,
      reason: `claims name issuer "${iss}", which no applying jwtRules entry has`,
    };
  }
  const attrs = claimsToAuthAttributes(claims, rules[index] ?? {});
  return { result: 'valid', rule: index, location: 'claims', reason: `claims given as already validated by jwtRules[${index}] (principal ${attrs.principal})`, ...attrs };
}

/** The realm is quoted in WWW-Authenticate: drop quotes, backslashes and control characters a client put in Host. */
function quotable(s: string): string {
  return [...s].filter((c) => c !== '"' && c !== '\\' && c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f).join('');
}
