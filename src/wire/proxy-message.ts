/**
 * The one parser of what a proxy sends on the configuration stream, written by
 * hand: the wire layer is loaded by every sidecar, and a schema library would
 * cost each of them megabytes of memory for three small messages. Strict like
 * the schemas of `config/`: an unknown key, a wrong type or an over-long value
 * refuses the whole line, and the message says which field and why.
 */

/** What the proxy says it is; the control plane checks it against the proxy's client certificate. */
export interface HelloMessage {
  type: 'hello';
  namespace: string;
  name: string;
  /** Used only when the mesh has no Workload resource of this name. */
  labels?: Record<string, string>;
  serviceAccount?: string;
}
export interface AckMessage { type: 'ack'; version: string }
export interface NackMessage { type: 'nack'; version: string; error: string }
export type ProxyMessage = HelloMessage | AckMessage | NackMessage;

export type ParsedProxyMessage = { ok: true; message: ProxyMessage } | { ok: false; error: string };

/** Kubernetes names: DNS-1123 subdomain, at most 253 characters. */
export const MAX_NAME_LENGTH = 253;
/** A label key is an optional DNS-1123 prefix (253), `/`, and a name (63). */
export const MAX_LABEL_KEY_LENGTH = 317;
export const MAX_LABEL_VALUE_LENGTH = 63;
/** Versions are content hashes (16 hex digits); 128 leaves room without letting a peer fill memory. */
export const MAX_VERSION_LENGTH = 128;
/** A NACK's compile error as the proxy reports it; the proxy cuts longer ones. */
export const MAX_ERROR_LENGTH = 4096;

const DNS_1123 = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Thrown inside this module only: the first problem found, as `field: reason`. */
class Refusal extends Error {}

const refuse = (field: string, reason: string): never => {
  throw new Refusal(`${field}: ${reason}`);
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(o)) if (!allowed.includes(key)) refuse(key, 'unknown key');
}

function text(o: Record<string, unknown>, field: string, min: number, max: number): string {
  const v = o[field];
  if (typeof v !== 'string') return refuse(field, v === undefined ? 'required' : 'must be a string');
  if (v.length < min) refuse(field, 'must not be empty');
  if (v.length > max) refuse(field, `must be at most ${max} characters`);
  return v;
}

function dnsName(o: Record<string, unknown>, field: string): string {
  const v = text(o, field, 1, MAX_NAME_LENGTH);
  if (!DNS_1123.test(v)) refuse(field, 'must be a DNS-1123 name');
  return v;
}

function labels(v: unknown): Record<string, string> {
  if (!isPlainObject(v)) return refuse('labels', 'must be an object of strings');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(v)) {
    if (key.length > MAX_LABEL_KEY_LENGTH) refuse('labels', `a key is longer than ${MAX_LABEL_KEY_LENGTH} characters`);
    if (typeof value !== 'string') refuse(`labels.${key}`, 'must be a string');
    if ((value as string).length > MAX_LABEL_VALUE_LENGTH) refuse(`labels.${key}`, `must be at most ${MAX_LABEL_VALUE_LENGTH} characters`);
    // defineProperty: a key named `__proto__` stays a plain key, never the prototype.
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function hello(o: Record<string, unknown>): HelloMessage {
  onlyKeys(o, ['type', 'namespace', 'name', 'labels', 'serviceAccount']);
  const m: HelloMessage = { type: 'hello', namespace: dnsName(o, 'namespace'), name: dnsName(o, 'name') };
  if (o.labels !== undefined) m.labels = labels(o.labels);
  if (o.serviceAccount !== undefined) m.serviceAccount = dnsName(o, 'serviceAccount');
  return m;
}

function ack(o: Record<string, unknown>): AckMessage {
  onlyKeys(o, ['type', 'version']);
  return { type: 'ack', version: text(o, 'version', 1, MAX_VERSION_LENGTH) };
}

function nack(o: Record<string, unknown>): NackMessage {
  onlyKeys(o, ['type', 'version', 'error']);
  return { type: 'nack', version: text(o, 'version', 1, MAX_VERSION_LENGTH), error: text(o, 'error', 0, MAX_ERROR_LENGTH) };
}

/**
 * Checks one decoded line from a proxy. Never throws: bad input is a result,
 * the caller closes the connection with the message.
 *
 * @example
 *   parseProxyMessage({ type: 'ack', version: 'a1b2' }) // { ok: true, message: { type: 'ack', version: 'a1b2' } }
 *   parseProxyMessage({ type: 'ack', version: 'a1', extra: 1 }) // { ok: false, error: 'extra: unknown key' }
 */
export function parseProxyMessage(value: unknown): ParsedProxyMessage {
  try {
    if (!isPlainObject(value)) return { ok: false, error: 'a message must be a JSON object' };
    switch (value.type) {
      case 'hello': return { ok: true, message: hello(value) };
      case 'ack': return { ok: true, message: ack(value) };
      case 'nack': return { ok: true, message: nack(value) };
      default: return { ok: false, error: 'type: must be one of hello, ack, nack' };
    }
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, error: err.message };
    throw err;
  }
}
