/**
 * The check call itself, through the machinery the sidecar's outbound side
 * uses: the provider's `service:port` resolves against the snapshot (a mesh
 * Service → its endpoints, round-robin; any other host → straight to it), auto
 * mTLS when the endpoint has a sidecar, with secure naming, over the pooled
 * keep-alive connections. The provider's `timeout` bounds the whole exchange;
 * a failure of any kind becomes an `error` outcome, never an exception.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ProxySnapshot } from '../model.js';
import { pickDestination } from '../outbound/destination.js';
import type { RoundRobin } from '../outbound/round-robin.js';
import { transportFailureReason, type UpstreamPool } from '../outbound/upstream-pool.js';
import type { CheckRequest } from './check-request.js';
import { mapCheckResponse, type CheckOutcome } from './check-response.js';
import type { HttpExtAuthzProvider } from './provider.js';

/** A provider's answer body larger than this is an error: it is meant to be a short denial message. */
export const MAX_CHECK_RESPONSE_BYTES = 64 * 1024;

export interface ExtAuthzClient {
  /** Ask `provider` about one request; resolves to allow, deny or error (with the reason). */
  check(snapshot: ProxySnapshot, provider: HttpExtAuthzProvider, req: CheckRequest): Promise<CheckOutcome>;
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += c.length;
    if (size > MAX_CHECK_RESPONSE_BYTES) {
      body.destroy();
      return undefined;
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks, size);
}

function failureReason(err: unknown, signal: AbortSignal, provider: HttpExtAuthzProvider): string {
  if (signal.aborted) return `no answer within ${provider.timeoutMs} ms (timeout)`;
  return transportFailureReason(err);
}

/**
 * @example
 * const client = createExtAuthzClient({ upstream, rr: createRoundRobin() });
 * await client.check(snapshot, provider, buildCheckRequest(provider, input)); // { kind: 'deny', status: 403, … }
 */
export function createExtAuthzClient(deps: { upstream: UpstreamPool; rr: RoundRobin }): ExtAuthzClient {
  return {
    async check(snapshot, provider, req) {
      const dest = pickDestination(snapshot, `${provider.service}:${provider.port}`, undefined, deps.rr);
      if (!dest.ok) return { kind: 'error', reason: `${provider.service}:${provider.port}: ${dest.details}` };
      const signal = AbortSignal.timeout(provider.timeoutMs);
      try {
        const res = await deps.upstream.http1(dest.target).request({
          method: req.method as 'GET', path: req.path, headers: req.headers, body: req.body, signal,
        });
        const body = await readCapped(res.body as unknown as AsyncIterable<Buffer> & { destroy(): unknown });
        if (body === undefined) return { kind: 'error', reason: `answer larger than ${MAX_CHECK_RESPONSE_BYTES} bytes` };
        return mapCheckResponse(provider, { status: res.statusCode, headers: res.headers as IncomingHttpHeaders, body });
      } catch (err) {
        return { kind: 'error', reason: failureReason(err, signal, provider) };
      }
    },
  };
}
