/**
 * A CUSTOM policy matched: ask the ext_authz provider, as Envoy's ext_authz
 * filter does, before DENY and ALLOW run. Allowed → the provider's upstream
 * headers go onto the request, its downstream headers onto the app's answer.
 * Denied → the client gets the provider's status, body and headers (access log
 * `UAEX ext_authz_denied`). The call failed → `statusOnError` (403) and
 * `UAEX ext_authz_error`, unless the provider is `failOpen`.
 */
import { PassThrough } from 'node:stream';
import { buildCheckRequest, type CheckOutcome, type ExtAuthzClient, type HttpExtAuthzProvider } from '../ext-authz/index.js';
import type { InboundRequest } from './layer.js';
import type { ProxyLog } from './listener.js';
import { localReply } from './local-reply.js';

/** Envoy's details when the provider denied the request. */
export const EXT_AUTHZ_DENIED_DETAILS = 'ext_authz_denied';
/** Envoy's details when the ext_authz call failed and the request was refused. */
export const EXT_AUTHZ_ERROR_DETAILS = 'ext_authz_error';
/** Envoy's flag for "unauthorized by the external authorization service". */
export const EXT_AUTHZ_FLAG = 'UAEX';

/** What the caller does next: run DENY/ALLOW (`continue`) or stop (a reply was sent). */
export type ExtAuthzStep = 'continue' | 'answered';

function hostOf(r: InboundRequest): string {
  const h = r.req.headers;
  return (h[':authority'] as string | undefined) ?? h.host ?? '';
}

/**
 * Read up to `max` bytes of the body for the check; the rest (if any) stays in
 * the request stream. Resolves to the bytes read and whether the body went past `max`.
 */
function bufferBody(r: InboundRequest, max: number): Promise<{ head: Buffer; truncated: boolean; ended: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (truncated: boolean, ended: boolean) => {
      r.req.off('data', onData);
      r.req.off('end', onEnd);
      r.req.off('error', onEnd);
      resolve({ head: Buffer.concat(chunks, size), truncated, ended });
    };
    const onData = (c: Buffer) => {
      r.bytesReceived += c.length;
      if (size + c.length > max) {
        r.req.pause();
        chunks.push(c.subarray(0, max - size));
        // The part past the limit is not lost: it goes to the app after the head.
        r.req.unshift(c.subarray(max - size));
        r.bytesReceived -= c.length - (max - size);
        size = max;
        finish(true, false);
        return;
      }
      chunks.push(c);
      size += c.length;
    };
    const onEnd = () => finish(false, true);
    r.req.on('data', onData);
    r.req.once('end', onEnd);
    r.req.once('error', onEnd);
  });
}

/** The body the app receives after the check read part of it: the head, then the rest of the stream. */
function replayBody(r: InboundRequest, head: Buffer, ended: boolean): void {
  const body = new PassThrough();
  body.write(head);
  if (ended) body.end();
  else r.req.pipe(body);
  r.body = body;
}

function applyOutcome(r: InboundRequest, provider: HttpExtAuthzProvider, outcome: CheckOutcome, log: ProxyLog): ExtAuthzStep {
  if (outcome.kind === 'allow') {
    for (const [name, value] of outcome.upstreamHeaders) r.req.headers[name] = value;
    if (outcome.downstreamHeaders.length) r.extraResponseHeaders = outcome.downstreamHeaders;
    return 'continue';
  }
  if (outcome.kind === 'deny') {
    localReply(r, outcome.status, outcome.body, EXT_AUTHZ_DENIED_DETAILS, { flags: [EXT_AUTHZ_FLAG], headers: groupHeaders(outcome.headers) });
    return 'answered';
  }
  log.debug({ provider: provider.name, reason: outcome.reason }, 'ext_authz check failed');
  if (provider.failOpen) return 'continue';
  localReply(r, provider.statusOnError, '', EXT_AUTHZ_ERROR_DETAILS, { flags: [EXT_AUTHZ_FLAG] });
  return 'answered';
}

/**
 * `[name, value]` pairs as Node response headers; a name given twice (`set-cookie`) keeps both values.
 *
 * @example
 * groupHeaders([['set-cookie', 'a=1'], ['set-cookie', 'b=2']]) // { 'set-cookie': ['a=1', 'b=2'] }
 */
export function groupHeaders(pairs: ReadonlyArray<[string, string]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const prior = out[name];
    out[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return out;
}

/**
 * Ask `provider` about `r`. Replies itself on deny, error and an oversized body.
 *
 * @example
 * if ((await callExtAuthz(r, provider, client, log)) === 'continue') // run DENY and ALLOW
 */
export async function callExtAuthz(r: InboundRequest, provider: HttpExtAuthzProvider, client: ExtAuthzClient, log: ProxyLog): Promise<ExtAuthzStep> {
  let body: Buffer | undefined;
  if (provider.body && !(r.req.httpVersionMajor === 1 && r.req.headers['content-length'] === undefined && r.req.headers['transfer-encoding'] === undefined)) {
    const read = await bufferBody(r, provider.body.maxRequestBytes);
    if (read.truncated && !provider.body.allowPartialMessage) {
      // Envoy's buffer limit for ext_authz with_request_body: 413, the rest of the body is never read.
      localReply(r, 413, 'Payload Too Large', 'request_payload_too_large');
      return 'answered';
    }
    body = read.head;
    replayBody(r, read.head, read.ended);
  }
  const req = buildCheckRequest(provider, { method: r.req.method ?? 'GET', authority: hostOf(r), path: r.upstreamPath, headers: r.req.headers, ...(body ? { body } : {}) });
  const outcome = await client.check(r.state.snapshot, provider, req);
  return applyOutcome(r, provider, outcome, log);
}
