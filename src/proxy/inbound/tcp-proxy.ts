/**
 * A TCP port: after the mTLS handshake (or plaintext where the mode allows),
 * authorization with the L4 fields only (principals, namespaces, ipBlocks,
 * ports), then bytes both ways to the app. A denial closes the connection —
 * Envoy's network RBAC filter logs `rbac_access_denied_matched_policy[…]` as
 * the connection termination details. One access-log line per connection.
 */
import net from 'node:net';
import { authorize, rbacAccessLogFlag } from '../../policy/authz/index.js';
import { hostPort } from '../access-log/entry.js';
import type { ConnectionInfo } from './connection-info.js';
import type { InboundPort } from './layer.js';
import type { ProxyState } from './proxy-state.js';
import { inboundCluster, type Telemetry } from './telemetry.js';

/**
 * Proxy one accepted connection to the app.
 *
 * @example
 * proxyTcp(socket, info, port, state, telemetry);
 */
export function proxyTcp(socket: net.Socket, conn: ConnectionInfo, port: InboundPort, state: ProxyState, telemetry: Telemetry): void {
  const startTime = new Date();
  const startMs = performance.now();
  const flags: string[] = [];
  let termination: string | undefined;
  let received = 0;
  let sent = 0;
  let done = false;
  telemetry.tcpOpened(conn, port);
  const finish = (upstreamHost: string | undefined) => {
    if (done) return;
    done = true;
    telemetry.tcpClosed({
      startTime, responseCode: 0, responseFlags: flags, connectionTerminationDetails: termination,
      bytesReceived: received, bytesSent: sent, durationMs: performance.now() - startMs,
      upstreamHost, upstreamCluster: inboundCluster(port), downstreamLocalAddress: conn.downstreamLocal,
      downstreamRemoteAddress: conn.downstreamRemote, requestedServerName: conn.sni,
      downstreamPeerUri: conn.peer?.spiffeId, connectionSecurityPolicy: conn.security,
    }, conn, port);
  };
  const d = authorize(state.authz, {
    workload: state.workload,
    protocol: 'tcp',
    source: { principal: conn.peer?.principal, ip: conn.remoteIp },
    destination: { port: port.targetPort, ip: conn.localIp },
    sni: conn.sni,
  });
  if (d.status !== 200) {
    termination = rbacAccessLogFlag(d.ruleName);
    if (d.status === 'ext-authz') flags.push('UAEX');
    socket.destroy();
    finish(undefined);
    return;
  }
  const upstreamHost = hostPort(port.targetHost, port.targetPort);
  const app = net.connect({ host: port.targetHost, port: port.targetPort });
  let connected = false;
  app.on('connect', () => {
    connected = true;
    // Listeners only now: until the app is there, the client's bytes wait in the socket.
    socket.on('data', (c: Buffer) => (received += c.length));
    app.on('data', (c: Buffer) => (sent += c.length));
    socket.pipe(app);
    app.pipe(socket);
  });
  app.on('error', () => {
    if (!connected) flags.push('UF');
    socket.destroy();
  });
  socket.on('error', () => app.destroy());
  socket.on('close', () => {
    app.destroy();
    finish(upstreamHost);
  });
  app.on('close', () => socket.end());
}
