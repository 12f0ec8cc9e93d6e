/**
 * Connections from the sidecar to its app, kept open: an HTTP/1.1 keep-alive
 * agent, and one HTTP/2 (h2c) session per app port for gRPC, reopened when
 * it closes. `http.Agent` rather than undici's Pool: the proxy streams Node
 * request/response objects both ways, which the agent does without adapting
 * streams (bench/proxy-inbound measures the hop).
 */
import http from 'node:http';
import http2 from 'node:http2';

/** Idle sockets kept per app port; more are opened under load and closed when idle. */
export const APP_MAX_FREE_SOCKETS = 64;

export interface AppConnections {
  readonly agent: http.Agent;
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
  return {
    agent,
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
      for (const s of sessions.values()) s.destroy();
      sessions.clear();
    },
  };
}
