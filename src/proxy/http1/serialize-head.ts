/**
 * Heads written by the fast path: one string per head, one `write` per head.
 * Header values come from clients (already checked by the parser) and from our
 * own layers; a value no HTTP/1.1 parser could read back the same way (CR,
 * LF, other control bytes) is refused rather than written.
 */
import { STATUS_CODES } from 'node:http';
import { HTTP1_ERROR_CODES, Http1Error } from './errors.js';
import type { HeaderPairs } from './parse-head.js';

/** Values as Node's header objects hold them. */
export type HeaderValue = string | number | readonly string[] | undefined;

// eslint-disable-next-line no-control-regex -- the point is to find control bytes
const UNSAFE_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
const TOKEN_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function check(name: string, value: string): void {
  if (!TOKEN_NAME.test(name)) throw new Http1Error(HTTP1_ERROR_CODES.INVALID_HEADER_VALUE, `header name ${JSON.stringify(name)} is not a token`);
  if (UNSAFE_VALUE.test(value)) throw new Http1Error(HTTP1_ERROR_CODES.INVALID_HEADER_VALUE, `header ${name} has a control character in its value`);
}

function line(name: string, value: string): string {
  check(name, value);
  return `${name}: ${value}\r\n`;
}

/**
 * Throw, as the serializers do, if a pair could not be read back the same way. For pairs that
 * did not come from our parser and go to `serializeParsedResponseHead` (an ext_authz provider's).
 */
export function checkHeaderPairs(pairs: ReadonlyArray<readonly [string, string]>): void {
  for (const [name, value] of pairs) check(name, value);
}

/** `name: value` lines of a Node-style header object (arrays give one line per value); `check`: refuse what could not be read back. */
function objectLines(headers: Record<string, HeaderValue>, check: boolean): string {
  let out = '';
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined) continue;
    if (typeof v === 'object') for (const one of v) out += check ? line(name, one) : `${name}: ${one}\r\n`;
    else out += check ? line(name, String(v)) : `${name}: ${v}\r\n`;
  }
  return out;
}

/** Header lines from a Node-style object (arrays give one line per value), each checked. */
export function headerLines(headers: Record<string, HeaderValue>): string {
  return objectLines(headers, true);
}

/**
 * @example
 * serializeRequestHead('GET', '/a', { host: 'web' }) // 'GET /a HTTP/1.1\r\nhost: web\r\n\r\n'
 */
export function serializeRequestHead(method: string, path: string, headers: Record<string, HeaderValue>): string {
  return `${method} ${path} HTTP/1.1\r\n${headerLines(headers)}\r\n`;
}

/**
 * `serializeRequestHead` for a head whose every part our parser already checked (`parseRequestHead`:
 * token method and names, values and target without control bytes) or we wrote ourselves as constants:
 * the outbound fast path, where nothing else touches the headers. Checking them again was a regex pass
 * over the token-sized values of every request.
 *
 * @example
 * serializeParsedRequestHead('GET', '/items', { host: 'catalog' }) // 'GET /items HTTP/1.1\r\nhost: catalog\r\n\r\n'
 */
export function serializeParsedRequestHead(method: string, path: string, headers: Record<string, HeaderValue>): string {
  return `${method} ${path} HTTP/1.1\r\n${objectLines(headers, false)}\r\n`;
}

/**
 * The status line with the standard reason phrase (as Node's server writes it), then the headers.
 *
 * @example
 * serializeResponseHead(200, [['content-length', '2']]) // 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n'
 */
export function serializeResponseHead(status: number, pairs: HeaderPairs, extra = ''): string {
  checkHeaderPairs(pairs);
  return serializeParsedResponseHead(status, pairs, extra);
}

/**
 * `serializeResponseHead` for pairs `parseResponseHead` produced (it refused names that are not
 * tokens and values with control bytes, so checking them again would only repeat its work), or
 * pairs passed through `checkHeaderPairs`. `extra` is whole lines of our own.
 *
 * @example
 * serializeParsedResponseHead(204, [['x-a', '1']]) // 'HTTP/1.1 204 No Content\r\nx-a: 1\r\n\r\n'
 */
export function serializeParsedResponseHead(status: number, pairs: HeaderPairs, extra = ''): string {
  let out = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
  for (const [name, value] of pairs) out += `${name}: ${value}\r\n`;
  return `${out}${extra}\r\n`;
}
