/**
 * An `envoyExtAuthzHttp` extension provider of the mesh config, read once per
 * snapshot into plain data with Istio's defaults filled in. Header lists use
 * Istio's patterns: an exact name, `prefix*` or `*suffix`, case-insensitive.
 */
import type { ExtensionProvider, MeshConfig } from '../../config/kinds.js';
import { EXT_AUTHZ_ERROR_CODES, ExtAuthzError } from './errors.js';

/** Istio's default `timeout` for an ext_authz provider (10 minutes: Envoy's `x-envoy-expected-rq-timeout-ms: 600000`). */
export const DEFAULT_EXT_AUTHZ_TIMEOUT_MS = 600_000;
/** Istio's default `statusOnError`: Envoy's `status_on_error` Forbidden. */
export const DEFAULT_STATUS_ON_ERROR = 403;
/**
 * `includeRequestBodyInCheck.maxRequestBytes` when left out. Envoy requires a value and
 * Istio passes 0 through; we buffer a small body rather than none so the setting does something.
 */
export const DEFAULT_MAX_REQUEST_BYTES = 8192;

/** One header-name pattern: `x-ext-authz`, `x-user-*`, `*-token`. */
export type HeaderPattern = { kind: 'exact' | 'prefix' | 'suffix'; value: string };

export interface HttpExtAuthzProvider {
  name: string;
  /** `ext-authz.istioinaction.svc.cluster.local`, or a host outside the mesh. */
  service: string;
  port: number;
  timeoutMs: number;
  pathPrefix: string;
  failOpen: boolean;
  statusOnError: number;
  includeRequestHeaders: HeaderPattern[];
  /** Fixed headers for every check, lower-cased names; they win over the client's. */
  additionalHeaders: Array<[string, string]>;
  /** Provider response headers copied onto the upstream request on allow (none when empty). */
  upstreamOnAllow: HeaderPattern[];
  /** Provider response headers added to the app's response on allow (none when empty). */
  downstreamOnAllow: HeaderPattern[];
  /** Provider response headers sent to the client on deny; `undefined` = all but Host. */
  downstreamOnDeny: HeaderPattern[] | undefined;
  /** Send the request body (up to `maxRequestBytes`; past that 413 unless `allowPartialMessage`). */
  body: { maxRequestBytes: number; allowPartialMessage: boolean } | undefined;
}

/** What a provider name resolves to: an HTTP provider we call, or why not. */
export type ProviderLookup = { ok: true; provider: HttpExtAuthzProvider } | { ok: false; reason: string };

/**
 * Parse Istio's pattern syntax.
 *
 * @example
 * headerPattern('X-User-*') // { kind: 'prefix', value: 'x-user-' }
 */
export function headerPattern(text: string): HeaderPattern {
  const t = text.toLowerCase();
  if (t.length > 1 && t.endsWith('*')) return { kind: 'prefix', value: t.slice(0, -1) };
  if (t.length > 1 && t.startsWith('*')) return { kind: 'suffix', value: t.slice(1) };
  return { kind: 'exact', value: t };
}

/**
 * Does a lower-case header name match any of `patterns`?
 *
 * @example
 * headerMatches('x-user-id', [headerPattern('x-user-*')]) // true
 */
export function headerMatches(name: string, patterns: readonly HeaderPattern[]): boolean {
  for (const p of patterns) {
    if (p.kind === 'exact' ? name === p.value : p.kind === 'prefix' ? name.startsWith(p.value) : name.endsWith(p.value)) return true;
  }
  return false;
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };

/** A protobuf/Go duration (`1.5s`, `1m30s`, `250ms`) in milliseconds, or undefined when malformed. */
export function durationMs(text: string): number | undefined {
  let total = 0;
  let rest = text;
  const part = /^(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/;
  if (rest === '') return undefined;
  while (rest !== '') {
    const m = part.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    rest = rest.slice(m[0].length);
  }
  return total;
}

function invalid(name: string, what: string): ExtAuthzError {
  return new ExtAuthzError(EXT_AUTHZ_ERROR_CODES.INVALID_PROVIDER, `extension provider "${name}": ${what}`);
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

function statusOnError(name: string, v: unknown): number {
  if (v === undefined || v === '') return DEFAULT_STATUS_ON_ERROR;
  const n = Number(v);
  // Envoy's status_on_error takes a real HTTP status; Istio rejects anything else.
  if (!Number.isInteger(n) || n < 100 || n > 599) throw invalid(name, `statusOnError "${String(v)}" is not an HTTP status code`);
  return n;
}

/**
 * Read an `envoyExtAuthzHttp` provider (already schema-checked by the config loader).
 * Throws `MG_EXT_AUTHZ_INVALID_PROVIDER` for values the schema cannot judge.
 *
 * @example
 * parseHttpProvider({ name: 'sample-ext-authz-http', envoyExtAuthzHttp: { service: 'ext-authz.istioinaction.svc.cluster.local', port: '8000' } })
 * // { service: 'ext-authz.istioinaction.svc.cluster.local', port: 8000, timeoutMs: 600000, statusOnError: 403, … }
 */
export function parseHttpProvider(p: ExtensionProvider): HttpExtAuthzProvider {
  const c = p.envoyExtAuthzHttp as Record<string, unknown> | undefined;
  if (!c || typeof c !== 'object') throw invalid(p.name, 'is not an envoyExtAuthzHttp provider');
  if (typeof c.service !== 'string' || c.service === '') throw invalid(p.name, 'service is required');
  const port = Number(c.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(p.name, `port ${JSON.stringify(c.port)} is not a TCP port (Istio requires one)`);
  const timeoutMs = c.timeout === undefined ? DEFAULT_EXT_AUTHZ_TIMEOUT_MS : durationMs(String(c.timeout));
  if (timeoutMs === undefined || timeoutMs <= 0) throw invalid(p.name, `timeout "${String(c.timeout)}" is not a positive duration`);
  const pathPrefix = typeof c.pathPrefix === 'string' ? c.pathPrefix : '';
  if (pathPrefix !== '' && !pathPrefix.startsWith('/')) throw invalid(p.name, `pathPrefix "${pathPrefix}" must start with "/"`);
  // includeHeadersInCheck is the deprecated name of includeRequestHeadersInCheck; Istio reads both.
  const include = [...stringList(c.includeRequestHeadersInCheck), ...stringList(c.includeHeadersInCheck)];
  const additional = Object.entries((c.includeAdditionalHeadersInCheck ?? {}) as Record<string, unknown>)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([k, v]): [string, string] => [k.toLowerCase(), v]);
  const body = c.includeRequestBodyInCheck as { maxRequestBytes?: unknown; allowPartialMessage?: unknown } | undefined;
  const maxRequestBytes = Number(body?.maxRequestBytes ?? 0);
  return {
    name: p.name,
    service: c.service,
    port,
    timeoutMs,
    pathPrefix,
    failOpen: c.failOpen === true,
    statusOnError: statusOnError(p.name, c.statusOnError),
    includeRequestHeaders: include.map(headerPattern),
    additionalHeaders: additional,
    upstreamOnAllow: stringList(c.headersToUpstreamOnAllow).map(headerPattern),
    downstreamOnAllow: stringList(c.headersToDownstreamOnAllow).map(headerPattern),
    downstreamOnDeny: c.headersToDownstreamOnDeny === undefined ? undefined : stringList(c.headersToDownstreamOnDeny).map(headerPattern),
    body: body ? { maxRequestBytes: maxRequestBytes > 0 ? maxRequestBytes : DEFAULT_MAX_REQUEST_BYTES, allowPartialMessage: body.allowPartialMessage === true } : undefined,
  };
}

/**
 * Every ext_authz provider of the mesh config by name, each parsed or with the
 * reason it cannot be called (the proxy denies requests that need it).
 *
 * @example
 * extAuthzProviders(mesh).get('sample-ext-authz-http') // { ok: true, provider: { … } }
 */
export function extAuthzProviders(mesh: MeshConfig): Map<string, ProviderLookup> {
  const out = new Map<string, ProviderLookup>();
  for (const p of mesh.extensionProviders) {
    if (p.envoyExtAuthzHttp !== undefined) {
      try {
        out.set(p.name, { ok: true, provider: parseHttpProvider(p) });
      } catch (err) {
        out.set(p.name, { ok: false, reason: (err as Error).message });
      }
    } else if (p.envoyExtAuthzGrpc !== undefined) {
      out.set(p.name, { ok: false, reason: `extension provider "${p.name}" is envoyExtAuthzGrpc, which meshguard does not call yet; use envoyExtAuthzHttp` });
    } else {
      out.set(p.name, { ok: false, reason: `extension provider "${p.name}" is not an authorization provider` });
    }
  }
  return out;
}
