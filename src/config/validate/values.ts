/**
 * Value formats Istio's security validation checks (`pkg/config/security`):
 * IPs and CIDRs, port numbers, `a[b]` attribute keys, path templates.
 */
import { isIP } from 'node:net';

/** `10.0.0.1`, `10.0.0.0/8`, `::1`, `2001:db8::/32`. */
export function isIpOrCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return isIP(value) !== 0;
  const addr = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  const family = isIP(addr);
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** A decimal port 0–65535, as Istio's `ValidatePorts`. */
export function isPort(value: string): boolean {
  return /^\d{1,5}$/.test(value) && Number(value) <= 65_535;
}

/** `request.headers[x-user]`: a non-empty name in brackets at the end. */
export function isMapKey(key: string): boolean {
  const open = key.indexOf('[');
  return key.endsWith(']') && open > 0 && open < key.length - 2;
}

const TEMPLATE_ONE = '{*}';
const TEMPLATE_ANY = '{**}';
// Named variables `{x}` / `{x=*}`, empty braces, and bare `/*` `/**` `*/` are not supported inside templates.
const UNSUPPORTED_TEMPLATE = /\/\{\w+=\*[*]?\}|\{\w*\}|\/\*[*]?|\*[*]?\//;

export function isPathTemplate(path: string): boolean {
  return path.includes(TEMPLATE_ONE) || path.includes(TEMPLATE_ANY);
}

/** Istio refuses templates mixing `{*}`/`{**}` with named variables or bare wildcards. */
export function isSupportedPathTemplate(path: string): boolean {
  return !isPathTemplate(path) || !UNSUPPORTED_TEMPLATE.test(path);
}
