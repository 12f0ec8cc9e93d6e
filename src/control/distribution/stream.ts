/**
 * The configuration stream's server: per connection, wait for the proxy's
 * `hello`, attach it to the distributor, write snapshots as NDJSON lines, and
 * feed its ACKs and NACKs back. The transport (how bytes arrive) is one narrow
 * interface; `devTcpTransport` is plain TCP on loopback until the stream moves
 * onto the CA API's mTLS, where the peer certificate will name the workload.
 */
import { createServer, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ConfigDistributor, ProxySession } from './distributor.js';
import { encodeLine, lineSplitter, loopbackListenAddress, proxyMessage, type ControlMessage } from './wire.js';

/** A proxy that connects and says nothing is dropped after this. */
export const HELLO_TIMEOUT_MS = 5000;

export interface StreamListener {
  /** `host:port` proxies dial. */
  readonly address: string;
  close(): Promise<void>;
}

/** Accepts connections; the only thing that changes when the stream moves to mTLS. */
export interface StreamTransport {
  listen(onConnection: (socket: Socket) => void): Promise<StreamListener>;
}

/**
 * DEV MODE ONLY: plaintext TCP, no authentication — a proxy is whoever its `hello`
 * says. Loopback addresses only (refused otherwise), so nothing off this machine can connect.
 *
 * @example const transport = devTcpTransport('127.0.0.1:0');
 */
export function devTcpTransport(listen: string): StreamTransport {
  const { host, port } = loopbackListenAddress(listen);
  return {
    listen: (onConnection) => new Promise((resolve, reject) => {
      const server = createServer(onConnection);
      server.once('error', reject);
      server.listen(port, host, () => {
        const a = server.address() as { address: string; port: number };
        const sockets = new Set<Socket>();
        server.on('connection', (s) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
        resolve({
          address: `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`,
          close: () => new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
        });
      });
    }),
  };
}

/**
 * Serves the distributor's snapshots on `transport`.
 *
 * @example
 *   const listener = await serveConfigStream(devTcpTransport('127.0.0.1:0'), distributor, log);
 *   console.log(listener.address); // proxies dial this
 */
export function serveConfigStream(transport: StreamTransport, distributor: ConfigDistributor, log: Logger): Promise<StreamListener> {
  return transport.listen((socket) => handleConnection(socket, distributor, log));
}

function handleConnection(socket: Socket, distributor: ConfigDistributor, log: Logger): void {
  let session: ProxySession | undefined;
  const write = (m: ControlMessage) => { if (!socket.destroyed) socket.write(encodeLine(m)); };
  const refuse = (code: string, message: string) => {
    write({ type: 'error', code, message });
    socket.end();
    socket.destroySoon?.();
  };
  const helloTimer = setTimeout(() => refuse('MG_STREAM_NO_HELLO', `no hello within ${HELLO_TIMEOUT_MS} ms`), HELLO_TIMEOUT_MS);
  socket.setNoDelay(true);
  socket.on('data', lineSplitter((line) => {
    let parsed;
    try {
      parsed = proxyMessage.safeParse(JSON.parse(line));
    } catch {
      return refuse('MG_STREAM_BAD_MESSAGE', 'a line is not JSON');
    }
    if (!parsed.success) return refuse('MG_STREAM_BAD_MESSAGE', `not a stream message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const m = parsed.data;
    if (m.type === 'hello') {
      if (session) return refuse('MG_STREAM_BAD_MESSAGE', 'hello sent twice');
      clearTimeout(helloTimer);
      log.info({ proxy: `${m.namespace}/${m.name}` }, 'proxy connected to the configuration stream');
      session = distributor.attach(m, (snapshot) => write({ type: 'snapshot', snapshot }));
      return;
    }
    if (!session) return refuse('MG_STREAM_BAD_MESSAGE', 'the first message must be hello');
    if (m.type === 'ack') session.ack(m.version);
    else session.nack(m.version, m.error);
  }, () => refuse('MG_STREAM_LINE_TOO_LONG', 'a line is longer than the stream allows')));
  socket.on('error', () => undefined); // a reset by the proxy ends the session like a close
  socket.once('close', () => {
    clearTimeout(helloTimer);
    session?.detach();
  });
}
