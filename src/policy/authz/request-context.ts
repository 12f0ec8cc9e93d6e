/**
 * The attributes of one request, computed once per decision and lazily where
 * they cost something (IP parsing, header lookups), so that rules that never ask
 * for them cost nothing.
 */
import { headerValue } from '../http/headers.js';
import type { AuthzRequest } from './model.js';
import { parseIp } from './ip.js';

const SPIFFE = 'spiffe://';

export class RequestContext {
  readonly req: AuthzRequest;
  /** Normalized path without query ('' for TCP). */
  readonly path: string;
  /** `spiffe://<principal>` or undefined for plaintext: Istio compares principals with the scheme added. */
  readonly principalUri: string | undefined;
  readonly isHttp: boolean;
  /** HTTP method, Host as sent and normalized path; undefined on TCP. */
  readonly method: string | undefined;
  readonly host: string | undefined;
  readonly httpPath: string | undefined;
  /** Attribute values by `SLOT` (method, path, principal, sni) for inline comparisons. */
  readonly slots: (string | undefined)[];
  /** `/first-segment` of the path, the key of the segment index. */
  readonly pathSegment: string;
  private srcIpBytes: Uint8Array | null | undefined;
  private remoteIpBytes: Uint8Array | null | undefined;
  private dstIpBytes: Uint8Array | null | undefined;
  private issSub: [string, string] | null | undefined;

  constructor(req: AuthzRequest, path: string) {
    this.req = req;
    this.path = path;
    const p = req.source.principal;
    this.principalUri = p ? SPIFFE + p : undefined;
    this.isHttp = req.protocol === 'http' && req.http !== undefined;
    this.method = this.isHttp ? req.http?.method : undefined;
    this.host = this.isHttp ? req.http?.host : undefined;
    this.httpPath = this.isHttp ? path : undefined;
    this.slots = [this.method, this.httpPath, this.principalUri, req.sni];
    this.pathSegment = firstSegment(path);
  }


  sourceIp(): Uint8Array | null {
    if (this.srcIpBytes === undefined) this.srcIpBytes = this.req.source.ip ? parseIp(this.req.source.ip) : null;
    return this.srcIpBytes;
  }

  remoteIp(): Uint8Array | null {
    if (this.remoteIpBytes === undefined) {
      const r = this.req.source.remoteIp ?? this.req.source.ip;
      this.remoteIpBytes = r ? parseIp(r) : null;
    }
    return this.remoteIpBytes;
  }

  destinationIp(): Uint8Array | null {
    if (this.dstIpBytes === undefined) this.dstIpBytes = this.req.destination.ip ? parseIp(this.req.destination.ip) : null;
    return this.dstIpBytes;
  }

  header(name: string): string | undefined {
    const h = this.req.http?.headers;
    return h ? headerValue(h, name) : undefined;
  }

  /**
   * JWT issuer and subject, which Istio matches separately for `requestPrincipals`:
   * from the `iss`/`sub` claims, else split from `iss/sub` at the last `/`.
   */
  issuerSubject(): [string, string] | null {
    if (this.issSub !== undefined) return this.issSub;
    const auth = this.req.auth;
    if (!auth) return (this.issSub = null);
    const iss = auth.claims['iss'];
    const sub = auth.claims['sub'];
    if (typeof iss === 'string' && typeof sub === 'string') return (this.issSub = [iss, sub]);
    const i = auth.principal.lastIndexOf('/');
    return (this.issSub = i >= 0 ? [auth.principal.slice(0, i), auth.principal.slice(i + 1)] : [auth.principal, '']);
  }

  /** A (possibly nested) claim as the strings Envoy's list matcher would see. */
  claimStrings(path: string[]): string[] {
    let v: unknown = this.req.auth?.claims;
    for (const key of path) {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return [];
      v = (v as Record<string, unknown>)[key];
    }
    if (typeof v === 'string') return [v];
    if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
    return [];
  }
}

/** `/a/b/c` → `/a`; `/a` → `/a`; `` → ``. */
export function firstSegment(path: string): string {
  const i = path.indexOf('/', 1);
  return i < 0 ? path : path.slice(0, i);
}
