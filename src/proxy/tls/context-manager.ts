/**
 * The proxy's TLS contexts, built from its `IdentitySource`. Servers attached
 * here get `setSecureContext` on every identity change (renewal, bundle
 * rotation): new handshakes use the new certificate, open connections keep
 * theirs — nothing is dropped.
 */
import { constants as cryptoConstants, X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { parseSpiffeId, trustDomainOf } from '../../identity/spiffe-id.js';
import type { IdentitySource, ProxyIdentity } from '../model.js';
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
 * What else an idle connection holds, and why it stays (heaptrack, Node 20): a 1 KB and a 16 KB
 * NodeBIO buffer each way, never shrunk while the connection lives. The 16 KB ones appear because
 * each side's handshake flight is just over 1 KB: OpenSSL appends the root CA (~410 bytes) to our
 * leaf-only chains. Node gives no way to stop that (no SSL_MODE_NO_AUTO_CHAIN, no chain store);
 * without the root both flights would fit the first 1 KB buffer, and the peer's parsed chain
 * (~7 KB) would halve.
 */
export const SERVER_SECURE_OPTIONS = cryptoConstants.SSL_OP_NO_TICKET;

export interface TlsContextManager {
  identity(): ProxyIdentity;
  /** Our own trust domain plus any the caller added (aliases): the domains a peer may come from. */
  trustDomains(): ReadonlySet<string>;
  /** Options for `tls.createServer` / `http2.createSecureServer`: verified client certificates required. */
  serverOptions(): tls.TlsOptions;
  /** Options for `tls.connect` to another sidecar (the outbound side). */
  clientOptions(): tls.ConnectionOptions;
  /** Keep `server` on the current identity; returns a function that stops doing so. */
  attach(server: tls.Server): () => void;
  /** Serial of the current leaf certificate, upper-case hex (what `getPeerCertificate().serialNumber` shows). */
  serial(): string;
  close(): void;
}

function secureContextOf(id: ProxyIdentity): tls.SecureContext {
  try {
    return tls.createSecureContext({ key: id.keyPem, cert: id.certChainPem, ca: id.bundlePem, minVersion: MIN_TLS_VERSION });
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
  let context = secureContextOf(current);
  const servers = new Set<tls.Server>();
  const domains = (id: ProxyIdentity) => new Set([trustDomainOf(parseSpiffeId(id.spiffeId)), ...(opts.trustDomainAliases ?? [])]);
  let trusted = domains(current);
  const stop = source.onChange((next) => {
    // Build first: a bad renewal keeps the old, working context instead of breaking every handshake.
    const nextContext = secureContextOf(next);
    current = next;
    context = nextContext;
    trusted = domains(next);
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
    trustDomains: () => trusted,
    serverOptions: () => serverOptionsOf(current),
    clientOptions: () => ({ secureContext: context, ALPNProtocols: SERVER_ALPN, minVersion: MIN_TLS_VERSION, rejectUnauthorized: true }),
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
