/**
 * What the listener learned about one downstream connection (TLS or not, the
 * peer's verified identity, addresses), stored on the socket under a symbol so
 * that HTTP/1 requests (`req.socket`) and HTTP/2 requests (whose `req.socket`
 * is a proxy forwarding property reads to the TLS socket) both find it.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { hostPort } from '../access-log/entry.js';
import { peerIdentityOf, type PeerIdentity } from '../tls/peer-identity.js';

export type VerifiedPeer = Extract<PeerIdentity, { ok: true }>;

export interface ConnectionInfo {
  /** `mutual_tls` when the client presented a verified SVID; `none` for plaintext. */
  security: 'mutual_tls' | 'none';
  peer: VerifiedPeer | undefined;
  remoteIp: string | undefined;
  remotePort: number | undefined;
  localIp: string | undefined;
  localPort: number | undefined;
  /** `ip:port` forms, computed once for the access log. */
  downstreamRemote: string | undefined;
  downstreamLocal: string | undefined;
  sni: string | undefined;
  alpn: string | undefined;
}

const CONNECTION_INFO = Symbol('meshguard.connectionInfo');

type Tagged = { [CONNECTION_INFO]?: ConnectionInfo };

function unmapped(ip: string | undefined): string | undefined {
  return ip && ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

/** Describe a plaintext connection. */
export function plaintextInfo(socket: Socket): ConnectionInfo {
  const remoteIp = unmapped(socket.remoteAddress);
  const localIp = unmapped(socket.localAddress);
  return {
    security: 'none', peer: undefined, remoteIp, remotePort: socket.remotePort, localIp, localPort: socket.localPort,
    downstreamRemote: hostPort(remoteIp, socket.remotePort), downstreamLocal: hostPort(localIp, socket.localPort), sni: undefined, alpn: undefined,
  };
}

/** Describe a finished mTLS handshake; `peer` is the refusal when the certificate names no acceptable SPIFFE ID. */
export function tlsInfo(socket: TLSSocket, trustDomains: ReadonlySet<string>): { info: ConnectionInfo; refusal?: string } {
  const base = plaintextInfo(socket);
  const peer = peerIdentityOf(socket.getPeerX509Certificate(), trustDomains);
  const servername = (socket as TLSSocket & { servername?: string | false }).servername;
  const info: ConnectionInfo = {
    ...base,
    security: 'mutual_tls',
    peer: peer.ok ? peer : undefined,
    sni: typeof servername === 'string' ? servername : undefined,
    alpn: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : undefined,
  };
  return peer.ok ? { info } : { info, refusal: peer.reason };
}

export function tagConnection(socket: Socket, info: ConnectionInfo): void {
  (socket as Tagged)[CONNECTION_INFO] = info;
}

/** The info of the connection a request came on; undefined if the listener never accepted it. */
export function connectionOf(socket: unknown): ConnectionInfo | undefined {
  return socket ? (socket as Tagged)[CONNECTION_INFO] : undefined;
}
