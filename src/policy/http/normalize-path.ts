/**
 * Request-path normalization as Envoy performs it before the RBAC filter runs,
 * selected by Istio's `meshConfig.pathNormalization`:
 *
 * - `NONE`: the path as sent (only the query string is cut off for matching).
 * - `BASE` (Istio's default): Envoy `normalize_path` — RFC 3986 §5.2.4 dot-segment
 *   removal, percent-decoding of unreserved characters (so `%61dmin` is `admin` and
 *   `%2e%2e` is `..`), `\` turned into `/`. `//` is kept and `%2F` is NOT decoded.
 * - `MERGE_SLASHES`: BASE, then runs of `/` merged.
 * - `DECODE_AND_MERGE_SLASHES`: `%2F`/`%5C` (any case) decoded first, then MERGE_SLASHES.
 *
 * A path Envoy refuses (`%00`, raw control characters, a `#fragment`, not starting
 * with `/`) yields `{ ok: false }`: the proxy answers 400 before authorization.
 */
import type { PathNormalization } from '../../config/kinds.js';

export type NormalizedPath = { ok: true; path: string } | { ok: false; reason: string };

const HEX = /^[0-9A-Fa-f]{2}$/;
// RFC 3986 §2.3 unreserved characters: the only escapes that normalization decodes.
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
// Characters Envoy's (Chromium-derived) canonicalizer escapes in a path.
const MUST_ESCAPE = /^[ "<>`{}]$/;
const ALREADY_CANONICAL = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;

/**
 * Normalize a request path (with or without query) for authorization matching.
 *
 * @example
 * normalizePath('/public/../%61dmin?x=1', 'BASE') // { ok: true, path: '/admin' }
 * normalizePath('/a%00b', 'BASE')                 // { ok: false, reason: 'path contains %00 …' }
 */
export function normalizePath(raw: string, mode: PathNormalization): NormalizedPath {
  const refused = refuseReason(raw);
  if (refused) return { ok: false, reason: refused };
  const q = raw.indexOf('?');
  let path = q >= 0 ? raw.slice(0, q) : raw;
  if (mode === 'NONE') return { ok: true, path };
  // Fast path: nothing to decode, escape, resolve or merge (the common case on the proxy's hot path).
  if (ALREADY_CANONICAL.test(path) && !path.includes('/.') && (mode === 'BASE' || !path.includes('//'))) return { ok: true, path };
  if (/%00/.test(path)) return { ok: false, reason: 'path contains %00 (an encoded NUL), which Envoy rejects with 400' };
  if (mode === 'DECODE_AND_MERGE_SLASHES') path = path.replace(/%2f/gi, '/').replace(/%5c/gi, '\\');
  path = removeDotSegments(canonicalizeChars(path));
  if (mode === 'MERGE_SLASHES' || mode === 'DECODE_AND_MERGE_SLASHES') path = path.replace(/\/{2,}/g, '/');
  return { ok: true, path };
}

function refuseReason(raw: string): string | null {
  if (raw.length === 0 || raw[0] !== '/') return 'path must start with "/"';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return `path contains the control character 0x${c.toString(16).padStart(2, '0')}`;
  }
  if (raw.includes('#')) return 'path contains a "#fragment", which Envoy rejects';
  return null;
}

/** Decode escaped unreserved characters, escape what must be escaped, `\` → `/`. */
function canonicalizeChars(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const ch = path[i] as string;
    if (ch === '%' && HEX.test(path.slice(i + 1, i + 3))) {
      const decoded = String.fromCharCode(parseInt(path.slice(i + 1, i + 3), 16));
      out += UNRESERVED.test(decoded) ? decoded : path.slice(i, i + 3);
      i += 2;
    } else if (ch === '\\') {
      out += '/';
    } else if (MUST_ESCAPE.test(ch) || ch.charCodeAt(0) > 0x7e) {
      out += encodeURIComponent(ch);
    } else {
      out += ch;
    }
  }
  return out;
}

/** RFC 3986 §5.2.4, on an absolute path. */
function removeDotSegments(path: string): string {
  const segments = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i] as string;
    const last = i === segments.length - 1;
    if (seg === '.') {
      if (last) out.push('');
    } else if (seg === '..') {
      out.pop();
      if (last) out.push('');
    } else {
      out.push(seg);
    }
  }
  return '/' + out.join('/');
}
