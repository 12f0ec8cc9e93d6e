/**
 * Serves the CA API over gRPC/TLS: adapts `CaHandlers` to grpc-js, asks for a
 * client certificate without requiring one (first contact has none), logs each
 * refusal once with its stable code and sends that code in the `mg-code` trailer.
 */
import { experimental, Metadata, Server, type ServerUnaryCall, type sendUnaryData, status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { MeshguardError } from '../../errors.js';
import { caServiceDefinition, ERROR_CODE_METADATA_KEY, MAX_REQUEST_BYTES } from '../ca-api/protocol.js';
import type { CaHandlers, RefusalContext } from './ca-handlers.js';
import { CaServiceErrorCode, grpcStatusFor } from './errors.js';
import type { ServingIdentity } from './serving-identity.js';

export interface CaApiServer {
  /** `host:port` actually bound. */
  address: string;
  close(): Promise<void>;
}

type Handler = (request: unknown, call: ServerUnaryCall<unknown, unknown>, context: RefusalContext) => Promise<unknown> | unknown;

/**
 * @example
 *   const server = await serveCaApi({ listen: '127.0.0.1:0', handlers, serving, log });
 *   writeState({ caAddress: server.address });
 */
export async function serveCaApi(options: { listen: string; handlers: CaHandlers; serving: ServingIdentity; log: Logger }): Promise<CaApiServer> {
  const { handlers, log } = options;
  const server = new Server({ 'grpc.max_receive_message_length': MAX_REQUEST_BYTES });
  const peer = (call: ServerUnaryCall<unknown, unknown>) => call.getAuthContext().sslPeerCertificate;
  const table: Record<string, Handler> = {
    Sign: (req, _call, ctx) => handlers.sign(req, ctx),
    Renew: (req, call, ctx) => handlers.renew(req, peer(call), ctx),
    FetchBundle: () => handlers.fetchBundle(),
    MintJwtSvid: (req, call, ctx) => handlers.mintJwtSvid(req, peer(call), ctx),
  };
  const impl: UntypedServiceImplementation = {};
  for (const [method, handle] of Object.entries(table)) {
    impl[method] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const context: RefusalContext = {};
      Promise.resolve()
        .then(() => handle(call.request, call, context))
        .then((res) => callback(null, res), (err: unknown) => callback(toStatus(err, method, context, log)));
    };
  }
  server.addService(caServiceDefinition, impl);
  // The serving identity's roots verify client certificates; one is asked for but not required.
  const creds = experimental.createCertificateProviderServerCredentials(options.serving, options.serving, false);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(options.listen, creds, (err, p) => (err ? reject(err) : resolve(p)));
  });
  const host = options.listen.slice(0, options.listen.lastIndexOf(':'));
  return {
    address: `${host}:${port}`,
    close: () => new Promise<void>((resolve) => {
      const timer = setTimeout(() => { server.forceShutdown(); resolve(); }, 2000);
      server.tryShutdown(() => { clearTimeout(timer); resolve(); });
    }),
  };
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
