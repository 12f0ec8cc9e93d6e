/**
 * The proxy's TLS contexts, built from its `IdentitySource`. Servers attached
 * here get `setSecureContext` on every identity change (renewal, bundle
 * rotation): new handshakes use the new certificate, open connections keep
 * theirs — nothing is dropped.
 */
import { constants as cryptoConstants, X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { certificatesFromPem } from '../../identity/pem.js';
import { parseSpiffeId, trustDomainOf } from '../../identity/spiffe-id.js';
import { trustAnchorsOf } from '../../identity/verify-chain.js';
import type { IdentitySource, ProxyIdentity } from '../model.js';
import { dialMtls, type AcceptServer, type ClientTrust, type MtlsDialTarget, type VerifiedServer } from './dial-mtls.js';
import { TLS_ERROR_CODES, TlsError } from './errors.js';

/** ALPN we offer, best first: gRPC needs h2; HTTP/1.1 clients still connect. */
export const SERVER_ALPN = ['h2', 'http/1.1'];
/** TLS 1.2 is the floor Istio sets for workload mTLS; 1.0/1.1 are refused at the handshake. */
export const MIN_TLS_VERSION: tls.SecureVersion = 'TLSv1.2';
/**
 * No stateless TLS session tickets from our servers. Peers pool their connections, so resumption
 * buys little, and each ticket a server sends leaves state behind on the connection: a bare Node
 * TLS server holding 2,000 idle mTLS connections measured 59 KB each with tickets, 45 KB without.
 * Under TLS 1.3 OpenSSL still sends two short stateful tickets that nothing can resume from
 * (Node keeps no server-side session cache); dropping those too needs `NumTickets = 0` in an
 * OpenSSL config file (Node has no option for it), which measured ~1 KB per connection: not kept.
 *
 * What else an idle connection holds, and why (heaptrack, Node 20): a 1 KB NodeBIO buffer each
 * way, plus a 16 KB one, never shrunk while the connection lives, wherever a handshake flight
 * passed 1 KB. A context holding the roots makes OpenSSL append the root CA (~410 bytes) to our
 * leaf-only chain, which does that (Node gives no SSL_MODE_NO_AUTO_CHAIN, no chain store). So
 * our client context holds no roots and sends its leaf alone, and verifies servers itself
 * (dial-mtls.ts); servers still need the roots in their context to verify clients.
 */
export const SERVER_SECURE_OPTIONS = cryptoConstants.SSL_OP_NO_TICKET;

export interface TlsContextManager {
  identity(): ProxyIdentity;
  /** Our own trust domain plus any the caller added (aliases): the domains a peer may come from. */
  trustDomains(): ReadonlySet<string>;
  /** Options for `tls.createServer` / `http2.createSecureServer`: verified client certificates required. */
  serverOptions(): tls.TlsOptions;
  /** Dial another sidecar or the control plane: the socket reaches `onVerified` once the server's chain and `accept` passed (dial-mtls.ts). */
  dial(target: MtlsDialTarget, accept: AcceptServer, onVerified: (err: Error | null, server?: VerifiedServer) => void): tls.TLSSocket;
  /** Keep `server` on the current identity; returns a function that stops doing so. */
  attach(server: tls.Server): () => void;
  /** Serial of the current leaf certificate, upper-case hex (what `getPeerCertificate().serialNumber` shows). */
  serial(): string;
  close(): void;
}

/** The client side's context and bundle; `ca: []` keeps OpenSSL's store empty (no root appended to our chain). */
function clientTrustOf(id: ProxyIdentity, trustDomains: ReadonlySet<string>): ClientTrust {
  try {
    return {
      secureContext: tls.createSecureContext({ key: id.keyPem, cert: id.certChainPem, ca: [], minVersion: MIN_TLS_VERSION }),
      anchors: trustAnchorsOf(certificatesFromPem(id.bundlePem)),
      trustDomains,
    };
  } catch (cause) {
    // Never echo PEM (it may hold the key); OpenSSL's message names only the problem.
    throw new TlsError(TLS_ERROR_CODES.CONTEXT_INVALID, 'the proxy identity cannot be used for TLS (certificate, key or bundle unreadable, or key does not match)', { reason: 'context', cause });
  }
}

function serialOf(id: ProxyIdentity): string {
  return new X509Certificate(id.certChainPem).serialNumber;
}

/**
 * Build the contexts from an identity source and follow its changes.
 *
 * @example
 * const tlsCtx = createTlsContextManager(identitySource);
 * const server = tls.createServer(tlsCtx.serverOptions());
 * tlsCtx.attach(server); // renewals swap the certificate without dropping connections
 */
export function createTlsContextManager(source: IdentitySource, opts: { trustDomainAliases?: readonly string[] } = {}): TlsContextManager {
  let current = source.current();
  const domains = (id: ProxyIdentity) => new Set([trustDomainOf(parseSpiffeId(id.spiffeId)), ...(opts.trustDomainAliases ?? [])]);
  let client = clientTrustOf(current, domains(current));
  const servers = new Set<tls.Server>();
  const stop = source.onChange((next) => {
    // Build first: a bad renewal keeps the old, working context instead of breaking every handshake.
    const nextClient = clientTrustOf(next, domains(next));
    current = next;
    client = nextClient;
    for (const s of servers) s.setSecureContext(serverOptionsOf(next));
  });
  const serverOptionsOf = (id: ProxyIdentity): tls.TlsOptions => ({
    key: id.keyPem,
    cert: id.certChainPem,
    ca: id.bundlePem,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: MIN_TLS_VERSION,
    ALPNProtocols: SERVER_ALPN,
    secureOptions: SERVER_SECURE_OPTIONS,
  });
  return {
    identity: () => current,
    trustDomains: () => client.trustDomains,
    serverOptions: () => serverOptionsOf(current),
    dial: (target, accept, onVerified) => dialMtls(client, target, accept, onVerified),
    attach(server) {
      servers.add(server);
      return () => servers.delete(server);
    },
    serial: () => serialOf(current),
    close() {
      stop();
      servers.clear();
    },
  };
}
