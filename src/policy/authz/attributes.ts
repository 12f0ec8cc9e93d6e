/**
 * Every attribute an AuthorizationPolicy can test — the `source`/`operation`
 * fields and the `when` keys Istio's validation accepts — with how Istio's
 * generators turn a written value into a matcher (`authz/model/generator.go`).
 */
import { cidrContains, parseCidr, type Cidr } from './ip.js';
import { compilePathTemplate, containsPathTemplate } from './path-template.js';
import type { RequestContext } from './request-context.js';
import { escapeRegex, headerMatch, regexMatch, stringMatch, type StringMatch } from './string-match.js';

export type Probe = (ctx: RequestContext) => boolean;

/** The compiled `values` (or `notValues`) of one field: true when any value matches. */
export interface CompiledValues {
  test: Probe;
  errors: { value: string; message: string }[];
  /** Lookup keys when every value is an exact match on an indexable attribute. */
  exact?: string[];
  /** First-path-segment keys when every value fixes the first segment (paths only). */
  segments?: string[];
  /** The same test as data (see `Inline`), when every value is a plain comparison. */
  inline?: Inline;
}

/**
 * A field test as data, evaluated in one loop without closures: op 0 exact,
 * 1 prefix, 2 suffix, 3 non-empty, 4 present, against `ctx.slots[slot]`.
 * Decisions over many rules are dominated by pointer chasing; this halves it.
 */
export interface Inline {
  slot: number;
  ops: number[];
  lits: string[];
}

/** Slots of `RequestContext.slots`. */
export const SLOT = { method: 0, path: 1, principal: 2, sni: 3 } as const;

export interface Attribute {
  /** Istio attribute name, `source.principal`. */
  readonly name: string;
  /** Istio refuses it on TCP filter chains. */
  readonly httpOnly: boolean;
  /** Which request index can pre-select rules on this attribute. */
  readonly index?: 'path' | 'principal' | 'method';
  compile(values: string[]): CompiledValues;
  actual(ctx: RequestContext): string;
}

const ABSENT = '(absent)';

function stringAttr(
  name: string,
  httpOnly: boolean,
  get: (ctx: RequestContext) => string | undefined,
  mk: (v: string) => StringMatch | string,
  index?: Attribute['index'],
  exactKey: (v: string) => string = (v) => v,
  segmentKey?: (v: string) => string | undefined,
  slot?: number,
): Attribute {
  return {
    name,
    httpOnly,
    index,
    compile(values) {
      const matchers: StringMatch[] = [];
      const errors: CompiledValues['errors'] = [];
      for (const v of values) {
        const m = mk(v);
        if (typeof m === 'string') errors.push({ value: v, message: m });
        else matchers.push(m);
      }
      const allExact = index !== undefined && matchers.length > 0 && errors.length === 0 && matchers.every((m) => m.kind === 'exact');
      const test = anyOf(get, matchers);
      const segs = segmentKey && errors.length === 0 ? values.map(segmentKey) : [];
      const segments = segs.length > 0 && segs.every((k) => k !== undefined) ? (segs as string[]) : undefined;
      return { test, errors, exact: allExact ? values.map(exactKey) : undefined, segments, inline: slot === undefined ? undefined : inlineOf(slot, matchers) };
    },
    actual: (ctx) => get(ctx) ?? ABSENT,
  };
}

/** One probe per field: get the attribute once, then try each value (indexed loops: this is the hot path). */
function anyOf(get: (ctx: RequestContext) => string | undefined, matchers: StringMatch[]): Probe {
  if (matchers.length === 1) {
    const m = matchers[0] as StringMatch;
    const lit = m.literal;
    if (lit !== undefined && m.kind === 'exact') return (ctx) => get(ctx) === lit;
    if (lit !== undefined && m.kind === 'prefix') return (ctx) => get(ctx)?.startsWith(lit) === true;
    if (lit !== undefined && m.kind === 'suffix') return (ctx) => get(ctx)?.endsWith(lit) === true;
    return (ctx) => {
      const a = get(ctx);
      return a !== undefined && m.test(a);
    };
  }
  return (ctx) => {
    const a = get(ctx);
    if (a === undefined) return false;
    for (let i = 0; i < matchers.length; i++) if ((matchers[i] as StringMatch).test(a)) return true;
    return false;
  };
}

const OPS: Partial<Record<StringMatch['kind'], number>> = { exact: 0, prefix: 1, suffix: 2, nonEmpty: 3, present: 4 };

function inlineOf(slot: number, matchers: StringMatch[]): Inline | undefined {
  if (matchers.length === 0) return undefined;
  const ops: number[] = [];
  const lits: string[] = [];
  for (const m of matchers) {
    const op = OPS[m.kind];
    if (op === undefined || (op < 3 && m.literal === undefined)) return undefined;
    ops.push(op);
    lits.push(m.literal ?? '');
  }
  return { slot, ops, lits };
}

function listAttr(name: string, get: (ctx: RequestContext) => string[]): Attribute {
  return {
    name,
    httpOnly: true,
    compile(values) {
      const matchers = values.map((v) => stringMatch(v));
      return {
        test: (ctx) => get(ctx).some((a) => matchers.some((m) => m.test(a))),
        errors: [],
      };
    },
    actual: (ctx) => {
      const l = get(ctx);
      return l.length ? JSON.stringify(l) : ABSENT;
    },
  };
}

function ipAttr(name: string, get: (ctx: RequestContext) => Uint8Array | null, raw: (ctx: RequestContext) => string | undefined): Attribute {
  return {
    name,
    httpOnly: false,
    compile(values) {
      const errors: CompiledValues['errors'] = [];
      const cidrs: Cidr[] = [];
      for (const v of values) {
        const c = parseCidr(v);
        if (c) cidrs.push(c);
        else errors.push({ value: v, message: `"${v}" is not an IP address or CIDR range` });
      }
      return {
        test: (ctx) => {
          const ip = get(ctx);
          return ip !== null && cidrs.some((c) => cidrContains(c, ip));
        },
        errors,
      };
    },
    actual: (ctx) => raw(ctx) ?? ABSENT,
  };
}

const portAttr: Attribute = {
  name: 'destination.port',
  httpOnly: false,
  compile(values) {
    const errors: CompiledValues['errors'] = [];
    const ports = new Set<number>();
    for (const v of values) {
      if (/^[0-9]{1,5}$/.test(v) && Number(v) <= 65535) ports.add(Number(v));
      else errors.push({ value: v, message: `"${v}" is not a port number in [0, 65535]` });
    }
    return { test: (ctx) => ports.has(ctx.req.destination.port), errors };
  },
  actual: (ctx) => String(ctx.req.destination.port),
};

/** `requestPrincipals` / `request.auth.principal`: issuer and subject matched separately, as Istio does. */
const requestPrincipalAttr: Attribute = {
  name: 'request.auth.principal',
  httpOnly: true,
  compile(values) {
    const pairs = values.map(requestPrincipalMatcher);
    return {
      test: (ctx) => {
        const is = ctx.issuerSubject();
        return is !== null && pairs.some(([iss, sub]) => iss(is[0]) && sub(is[1]));
      },
      errors: [],
    };
  },
  actual: (ctx) => ctx.req.auth?.principal ?? '(no JWT)',
};

type Pred = (s: string) => boolean;
const nonEmpty: Pred = (s) => s.length > 0;

function requestPrincipalMatcher(value: string): [Pred, Pred] {
  const idx = value.lastIndexOf('/');
  const found = idx >= 0;
  const iss = found ? value.slice(0, idx) : value;
  const sub = found ? value.slice(idx + 1) : '';
  const exact = (x: string): Pred => (s) => s === x;
  if (value === '*') return [nonEmpty, nonEmpty];
  if (value.startsWith('*')) {
    if (!found) return [nonEmpty, (s) => s.endsWith(value.slice(1))];
    return [iss === '*' ? nonEmpty : (s) => s.endsWith(iss.slice(1)), exact(sub)];
  }
  if (value.endsWith('*')) {
    if (!found) return [(s) => s.startsWith(value.slice(0, -1)), nonEmpty];
    return [exact(iss), sub === '*' ? nonEmpty : (s) => s.startsWith(sub.slice(0, -1))];
  }
  return [exact(iss), exact(sub)];
}

const principalUri = (ctx: RequestContext) => ctx.principalUri;
const PEER_ABSENT = '(plaintext: no peer identity)';

export const PRINCIPAL = withActual(
  stringAttr('source.principal', false, principalUri, (v) => stringMatch(v, 'spiffe://'), 'principal', (v) => 'spiffe://' + v, undefined, SLOT.principal),
  (ctx) => ctx.req.source.principal ?? PEER_ABSENT,
);

/** Namespaces come from the peer identity (regex `.*\/ns/<ns>/.*`), so they never match plaintext. */
export const NAMESPACE = withActual(
  stringAttr('source.namespace', false, principalUri, (v) => regexMatch(v, `.*/ns/${escapeRegex(v).replace(/\\\*/g, '.*')}/.*`)),
  (ctx) => ctx.req.source.principal ?? PEER_ABSENT,
);

/** `serviceAccounts` take `ns/sa` or `sa` (in the policy's namespace); any trust domain. */
export function serviceAccountAttr(policyNamespace: string): Attribute {
  const mk = (v: string): StringMatch | string => {
    const slash = v.indexOf('/');
    const ns = slash >= 0 ? v.slice(0, slash) : policyNamespace;
    const sa = slash >= 0 ? v.slice(slash + 1) : v;
    if (!ns || !sa || sa.includes('/') || v.includes('*')) return `"${v}" is not a service account written <namespace>/<name> or <name>`;
    return regexMatch(v, `spiffe://.+/ns/${escapeRegex(ns)}/(.+/|)sa/${escapeRegex(sa)}(/.+)?`);
  };
  return withActual(stringAttr('source.serviceAccount', false, principalUri, mk), (ctx) => ctx.req.source.principal ?? PEER_ABSENT);
}

export const SOURCE_IP = ipAttr('source.ip', (c) => c.sourceIp(), (c) => c.req.source.ip);
export const REMOTE_IP = ipAttr('remote.ip', (c) => c.remoteIp(), (c) => c.req.source.remoteIp ?? c.req.source.ip);
export const DESTINATION_IP = ipAttr('destination.ip', (c) => c.destinationIp(), (c) => c.req.destination.ip);
export const DESTINATION_PORT = portAttr;
export const REQUEST_PRINCIPAL = requestPrincipalAttr;

/** Hosts: Envoy `:authority` exactly as sent, case-insensitive; `*` is presence. */
export const HOST = stringAttr('request.host', true, (c) => c.host, (v) => headerMatch(v, true));
/** Methods: `:method`, case-sensitive. */
export const METHOD = stringAttr('request.method', true, (c) => c.method, (v) => headerMatch(v), 'method', undefined, undefined, SLOT.method);
/** Paths: normalized, query excluded; `*` = any non-empty path; `{*}`/`{**}` templates. */
export const PATH = stringAttr(
  'request.path',
  true,
  (c) => c.httpPath,
  (v) => {
    if (!containsPathTemplate(v)) return stringMatch(v);
    const re = compilePathTemplate(v);
    return typeof re === 'string' ? re : regexMatch(v, re.source.slice(1, -1));
  },
  'path',
  (v) => v,
  pathSegmentKey,
  SLOT.path,
);

/**
 * The first path segment every path matching `v` has, when `v` fixes it:
 * `/api/v1` and `/api/*` and `/api/{*}` → `/api`; `/ap*`, `*.js`, `*` → none.
 */
function pathSegmentKey(v: string): string | undefined {
  if (v.startsWith('*') || !v.startsWith('/')) return undefined;
  const literalEnd = [v.indexOf('*'), v.indexOf('{')].filter((i) => i >= 0);
  const literal = literalEnd.length ? v.slice(0, Math.min(...literalEnd)) : v;
  const i = literal.indexOf('/', 1);
  if (i >= 0) return literal.slice(0, i);
  return literalEnd.length ? undefined : literal;
}
export const SNI = stringAttr('connection.sni', false, (c) => c.req.sni, (v) => stringMatch(v), undefined, undefined, undefined, SLOT.sni);
export const AUDIENCES = listAttr('request.auth.audiences', (c) => c.req.auth?.audiences ?? []);
export const PRESENTER = listAttr('request.auth.presenter', (c) => (c.req.auth?.presenter ? [c.req.auth.presenter] : []));

export function headerAttr(key: string, name: string): Attribute {
  return stringAttr(key, true, (c) => c.header(name), (v) => headerMatch(v));
}

export function claimAttr(key: string, path: string[]): Attribute {
  return listAttr(key, (c) => c.claimStrings(path));
}

function withActual(a: Attribute, actual: (ctx: RequestContext) => string): Attribute {
  return { ...a, actual };
}
