/**
 * The configuration stream's server: per connection, wait for the proxy's
 * `hello`, check it against the proxy's verified client certificate, attach it
 * to the distributor, write snapshots as NDJSON lines, and feed its ACKs and
 * NACKs back. The transport (how bytes arrive, and who the peer certificate
 * names) is one narrow interface; production uses `mtlsStreamTransport`.
 */
import type { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ConfigDistributor, ProxySession } from './distributor.js';
import { STREAM_ERROR_CODES } from './errors.js';
import { checkProxyIdentity } from './proxy-identity.js';
import { encodeLine, lineSplitter, parseProxyMessage, type ControlMessage, type HelloMessage } from './wire.js';

/** A proxy that connects and says nothing is dropped after this. */
export const HELLO_TIMEOUT_MS = 5000;

export interface StreamListener {
  /** `host:port` proxies dial. */
  readonly address: string;
  close(): Promise<void>;
}

/** Accepts connections, each with the peer certificate the transport verified (undefined: none). */
export interface StreamTransport {
  listen(onConnection: (socket: Socket, peer: X509Certificate | undefined) => void): Promise<StreamListener>;
}

/**
 * Serves the distributor's snapshots on `transport`.
 *
 * @example
 *   const listener = await serveConfigStream(mtlsStreamTransport({ listen: '127.0.0.1:0', serving }), distributor, log);
 *   console.log(listener.address); // proxies dial this
 */
export function serveConfigStream(transport: StreamTransport, distributor: ConfigDistributor, log: Logger): Promise<StreamListener> {
  return transport.listen((socket, peer) => handleConnection(socket, peer, distributor, log));
}

function handleConnection(socket: Socket, peer: X509Certificate | undefined, distributor: ConfigDistributor, log: Logger): void {
  let session: ProxySession | undefined;
  let phase: 'waiting' | 'checking' | 'attached' | 'refused' = 'waiting';
  const write = (m: ControlMessage) => { if (!socket.destroyed) socket.write(encodeLine(m)); };
  const refuse = (code: string, message: string) => {
    if (phase === 'refused') return;
    phase = 'refused';
    write({ type: 'error', code, message });
    socket.end();
    socket.destroySoon?.();
  };
  const helloTimer = setTimeout(() => refuse(STREAM_ERROR_CODES.noHello, `no hello within ${HELLO_TIMEOUT_MS} ms`), HELLO_TIMEOUT_MS);

  const onHello = async (hello: HelloMessage) => {
    phase = 'checking';
    clearTimeout(helloTimer);
    const proxy = `${hello.namespace}/${hello.name}`;
    let serviceAccount: string;
    try {
      serviceAccount = await distributor.serviceAccountFor(hello);
    } catch (err) {
      log.error({ err, proxy }, 'reading the mesh state to check a proxy failed');
      return refuse(STREAM_ERROR_CODES.identityMismatch, 'the control plane could not check this proxy now; retry');
    }
    if (phase !== 'checking' || socket.destroyed) return;
    const check = checkProxyIdentity(peer, hello, distributor.trustDomain, serviceAccount);
    if (!check.ok) {
      const expected = `spiffe://${distributor.trustDomain}/ns/${hello.namespace}/sa/${serviceAccount}`;
      // Both identities, once: who the certificate says and who the hello claims to be.
      log.warn({ code: STREAM_ERROR_CODES.identityMismatch, reason: check.reason, peer: check.peer, hello: expected, proxy },
        'configuration stream refused: the client certificate does not match the hello');
      return refuse(STREAM_ERROR_CODES.identityMismatch, `the client certificate (${check.peer ?? 'no SPIFFE ID'}) is not ${expected}, the workload ${proxy} runs as`);
    }
    phase = 'attached';
    log.info({ proxy, spiffeId: check.spiffeId }, 'proxy connected to the configuration stream');
    session = distributor.attach(hello, (snapshot) => write({ type: 'snapshot', snapshot }), {
      serviceAccount,
      revoke: (now) => {
        log.warn({ code: STREAM_ERROR_CODES.identityMismatch, reason: 'service-account', peer: check.spiffeId, proxy, runsAs: now },
          'configuration stream closed: the workload now runs as another service account than the proxy certificate names');
        refuse(STREAM_ERROR_CODES.identityMismatch, `the workload ${proxy} now runs as service account ${now}, not the one of ${check.spiffeId}`);
      },
    });
  };

  socket.setNoDelay(true);
  socket.on('data', lineSplitter((line) => {
    if (phase === 'refused') return;
    let parsed;
    try {
      parsed = parseProxyMessage(JSON.parse(line));
    } catch {
      return refuse(STREAM_ERROR_CODES.badMessage, 'a line is not JSON');
    }
    if (!parsed.ok) return refuse(STREAM_ERROR_CODES.badMessage, `not a stream message: ${parsed.error}`);
    const m = parsed.message;
    if (m.type === 'hello') {
      if (phase !== 'waiting') return refuse(STREAM_ERROR_CODES.badMessage, 'hello sent twice');
      void onHello(m);
      return;
    }
    // Nothing is sent before the snapshot, so an ACK while the hello is checked is out of order too.
    if (!session) return refuse(STREAM_ERROR_CODES.badMessage, 'the first message must be hello');
    if (m.type === 'ack') session.ack(m.version);
    else session.nack(m.version, m.error);
  }, () => refuse(STREAM_ERROR_CODES.lineTooLong, 'a line is longer than the stream allows')));
  socket.on('error', () => undefined); // a reset by the proxy ends the session like a close
  socket.once('close', () => {
    clearTimeout(helloTimer);
    if (phase === 'checking') phase = 'refused';
    session?.detach();
  });
}
