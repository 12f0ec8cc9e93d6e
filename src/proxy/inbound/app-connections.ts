/**
 * Connections from the sidecar to its app, kept open: raw keep-alive sockets
 * for the HTTP/1.1 fast path, an HTTP/1.1 keep-alive agent for requests Node's
 * server parsed, and one HTTP/2 (h2c) session per app port for gRPC, reopened
 * when it closes. `http.Agent` rather than undici's Pool: the proxy streams
 * Node request/response objects both ways, which the agent does without
 * adapting streams (bench/proxy-inbound measures the hop).
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { createSocketPool, type Connect, type SocketPool } from '../http1/index.js';

/** Idle sockets kept per app port; more are opened under load and closed when idle. */
export const APP_MAX_FREE_SOCKETS = 64;
/**
 * An idle fast-path socket to the app is closed after this long: below Node's default server
 * `keepAliveTimeout` (5 s), so we close first and rarely reuse a socket the app is closing.
 */
export const APP_IDLE_TIMEOUT_MS = 4_000;

export interface AppConnections {
  readonly agent: http.Agent;
  /** Idle raw sockets for the fast path, keyed `host:port`. */
  readonly sockets: SocketPool;
  /** Opens a new raw connection to the app for the fast path. */
  connect(host: string, port: number): Connect;
  /** The h2c session to `host:port`, opened on first use. */
  session(host: string, port: number): http2.ClientHttp2Session;
  close(): void;
}

/**
 * @example
 * const app = createAppConnections();
 * http.request({ agent: app.agent, host: '127.0.0.1', port: 8080, path: '/' });
 */
export function createAppConnections(): AppConnections {
  // noDelay: passed on to each connection; without it Nagle holds small writes for the app's delayed ACK.
  const agent = new http.Agent({ keepAlive: true, maxFreeSockets: APP_MAX_FREE_SOCKETS, scheduling: 'lifo', noDelay: true } as http.AgentOptions);
  const sessions = new Map<string, http2.ClientHttp2Session>();
  const sockets = createSocketPool({ maxIdlePerKey: APP_MAX_FREE_SOCKETS, idleTimeoutMs: APP_IDLE_TIMEOUT_MS });
  return {
    agent,
    sockets,
    connect: (host, port) => (done) => {
      const s = net.connect({ host, port, noDelay: true });
      const failed = (err: Error) => done(err, null);
      s.once('error', failed);
      s.once('connect', () => {
        s.off('error', failed);
        // Errors reach whichever exchange holds the socket; one between owners must not crash the process.
        s.on('error', () => s.destroy());
        done(null, s);
      });
    },
    session(host, port) {
      const key = `${host}:${port}`;
      const existing = sessions.get(key);
      if (existing && !existing.closed && !existing.destroyed) return existing;
      const s = http2.connect(`http://${host.includes(':') ? `[${host}]` : host}:${port}`);
      const forget = () => {
        if (sessions.get(key) === s) sessions.delete(key);
      };
      s.on('close', forget);
      s.on('goaway', forget);
      // Errors surface on the streams using the session; an idle session's error only ends it.
      s.on('error', forget);
      s.unref();
      sessions.set(key, s);
      return s;
    },
    close() {
      agent.destroy();
      sockets.close();
      for (const s of sessions.values()) s.destroy();
      sessions.clear();
    },
  };
}
