/**
 * Serves the CA API over gRPC/TLS: adapts `CaHandlers` to grpc-js, asks for a
 * client certificate without requiring one (first contact has none), logs each
 * refusal once with its stable code and sends that code in the `mg-code` trailer.
 *
 * TLS is terminated by our own `tls.Server` and each connection is handed to grpc-js
 * (`createConnectionInjector`), so the peer certificate is decoded once per TLS
 * session instead of once per call: grpc-js calls `getPeerCertificate()` for every
 * call's auth context, which was ~7% of the server's CPU per Renew (bench/ca-service).
 * Only the decoding is cached: whether that certificate may still renew (its entry,
 * its token) is checked on every call.
 */
import { createServer as createTlsServer, type PeerCertificate, type TLSSocket } from 'node:tls';
import { Metadata, Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData, status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { MeshguardError } from '../../errors.js';
import { caServiceDefinition, ERROR_CODE_METADATA_KEY, MAX_REQUEST_BYTES } from '../ca-api/protocol.js';
import type { CaHandlers, RefusalContext } from './ca-handlers.js';
import { CaServiceErrorCode, grpcStatusFor } from './errors.js';
import type { ServingIdentity, ServingMaterial } from './serving-identity.js';
import { finishCallTrace, startCallTrace, type CaCallTrace } from './call-trace.js';

export interface CaApiServer {
  /** `host:port` actually bound. */
  address: string;
  close(): Promise<void>;
}

type Handler = (request: unknown, call: ServerUnaryCall<unknown, unknown>, context: RefusalContext, trace: CaCallTrace | undefined) => Promise<unknown> | unknown;

/**
 * @example
 *   const server = await serveCaApi({ listen: '127.0.0.1:0', handlers, serving, log });
 *   writeState({ caAddress: server.address });
 */
export async function serveCaApi(options: { listen: string; handlers: CaHandlers; serving: ServingIdentity; log: Logger }): Promise<CaApiServer> {
  const { handlers, log } = options;
  // No channelz: nothing here serves it, and its per-call bookkeeping was ~4% of the server's CPU per Renew (bench/ca-service).
  const server = new Server({ 'grpc.max_receive_message_length': MAX_REQUEST_BYTES, 'grpc.enable_channelz': 0 });
  const peer = (call: ServerUnaryCall<unknown, unknown>) => call.getAuthContext().sslPeerCertificate;
  const table: Record<string, Handler> = {
    Sign: (req, _call, ctx, trace) => handlers.sign(req, ctx, trace),
    Renew: (req, call, ctx, trace) => handlers.renew(req, peer(call), ctx, trace),
    FetchBundle: () => handlers.fetchBundle(),
    MintJwtSvid: (req, call, ctx) => handlers.mintJwtSvid(req, peer(call), ctx),
  };
  const impl: UntypedServiceImplementation = {};
  for (const [method, handle] of Object.entries(table)) {
    impl[method] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const context: RefusalContext = {};
      const trace = startCallTrace(method);
      Promise.resolve()
        .then(() => handle(call.request, call, context, trace))
        .then((res) => {
          callback(null, res);
          if (trace) finishCallTrace(trace, true);
        }, (err: unknown) => {
          callback(toStatus(err, method, context, log));
          if (trace) finishCallTrace(trace, false);
        });
    };
  }
  server.addService(caServiceDefinition, impl);
  const injector = server.createConnectionInjector(ServerCredentials.createInsecure());
  const context = (m: ServingMaterial) => ({ cert: m.svid.chainPem, key: m.svid.keyPem, ca: m.rootsPem });
  // The serving identity's roots verify client certificates; one is asked for but not required.
  const tls = createTlsServer({ ...context(options.serving.current), ALPNProtocols: ['h2'], requestCert: true, rejectUnauthorized: false });
  options.serving.onUpdate((m) => tls.setSecureContext(context(m)));
  tls.on('secureConnection', (socket: TLSSocket) => {
    // A reset connection concerns that client only; HTTP/2 sees the close.
    socket.on('error', () => {});
    pinPeerCertificate(socket);
    injector.injectConnection(socket);
  });
  // A failed handshake concerns that client only (grpc-js logged nothing for it either).
  tls.on('tlsClientError', () => {});
  const host = options.listen.slice(0, options.listen.lastIndexOf(':'));
  const port = await new Promise<number>((resolve, reject) => {
    tls.once('error', reject);
    tls.listen(Number(options.listen.slice(host.length + 1)), host.replace(/^\[|\]$/g, ''), () => {
      tls.off('error', reject);
      tls.on('error', (err) => log.error({ err }, 'CA API listener failed'));
      resolve((tls.address() as { port: number }).port);
    });
  });
  return {
    address: `${host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      tls.close();
      const timer = setTimeout(() => { server.forceShutdown(); resolve(); }, 2000);
      server.tryShutdown(() => { clearTimeout(timer); resolve(); });
    }),
  };
}

/**
 * Makes `socket.getPeerCertificate()` decode the certificate once. Renegotiation is
 * refused first, so the peer certificate cannot change within the session.
 */
function pinPeerCertificate(socket: TLSSocket): void {
  socket.disableRenegotiation();
  const decode = socket.getPeerCertificate.bind(socket);
  let peer: PeerCertificate | undefined;
  socket.getPeerCertificate = ((detailed?: boolean) => (detailed ? decode(true) : (peer ??= decode()))) as TLSSocket['getPeerCertificate'];
}

function toStatus(err: unknown, method: string, context: RefusalContext, log: Logger): Partial<{ code: status; details: string; metadata: Metadata }> {
  const known = err instanceof MeshguardError;
  const code = known ? err.code : CaServiceErrorCode.INTERNAL;
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, code);
  if (!known) {
    log.error({ err, method, ...context }, 'CA request failed');
    return { code: status.INTERNAL, details: 'internal error; see the control plane log', metadata };
  }
  // One line per refusal: the code, the method and who (never the token or the CSR).
  log.warn({ method, code, reason: (err as { reason?: string }).reason, ...context }, 'CA request refused');
  return { code: grpcStatusFor(code), details: err.message, metadata };
}
