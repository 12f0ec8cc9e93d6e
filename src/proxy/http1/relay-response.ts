/**
 * An upstream response passed on to a fast-path client: the head re-written
 * (the caller picks the headers: hop-by-hop ones removed), the body bytes
 * unchanged and with backpressure both ways. A close-delimited body is sent
 * chunked, so the client's keep-alive connection survives it.
 */
import type { Framing } from './body-framer.js';
import type { Http1Error } from './errors.js';
import type { ResponseHandlers } from './exchange.js';
import type { HeaderPairs, ResponseHead } from './parse-head.js';
import type { SentRequest } from './send-request.js';
import type { FastResponse } from './server-objects.js';

const LAST_CHUNK = '0\r\n\r\n';
const CRLF = Buffer.from('\r\n', 'latin1');

export interface RelayHooks {
  /** The head arrived: return the headers the client gets. */
  head(head: ResponseHead, framing: Framing): HeaderPairs;
  /** Body payload bytes passed on (chunk framing not counted). */
  body?(payloadBytes: number): void;
  /** The response was passed on whole. */
  end(): void;
  /** The exchange failed (see `Http1Error.beforeResponse`). */
  error(err: Http1Error): void;
}

/**
 * Handlers for `sendRequest` that write to `res`; call `bind` with what `sendRequest` returned.
 *
 * @example
 * const relay = relayResponse(res, hooks);
 * relay.bind(sendRequest(pool, key, connect, req, relay.handlers));
 */
export function relayResponse(res: FastResponse, hooks: RelayHooks): { handlers: ResponseHandlers; bind(sent: SentRequest): void } {
  let sent: SentRequest | undefined;
  let rechunk = false;
  const resume = () => sent?.resume();
  const handlers: ResponseHandlers = {
    onHead(head, framing) {
      const pairs = hooks.head(head, framing);
      rechunk = framing.kind === 'close';
      const chunked = framing.kind === 'chunked' || rechunk;
      res.writeRawHead(head.status, pairs, chunked ? 'transfer-encoding: chunked\r\n' : '');
    },
    onBody(chunk, payloadBytes) {
      hooks.body?.(payloadBytes);
      let ok: boolean;
      // One write per chunk (three would be three TLS records once the head has gone).
      if (rechunk) ok = res.writeRaw(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, CRLF]));
      else ok = res.writeRaw(chunk);
      if (!ok) res.onDrain(resume);
      return ok;
    },
    onEnd() {
      if (rechunk) res.writeRaw(LAST_CHUNK);
      res.endRaw();
      hooks.end();
    },
    onError: (err) => hooks.error(err),
  };
  return {
    handlers,
    bind(s) {
      sent = s;
      // The client went away: stop the upstream exchange too (its socket is closed, never reused).
      res.once('close', () => {
        if (!res.writableFinished) s.abort();
      });
    },
  };
}
