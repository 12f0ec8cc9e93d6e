/**
 * The SPIFFE Workload API for one workload, on its own Unix socket, so proxyless apps
 * and any SPIFFE library get their identity from meshguard. Every call must carry the
 * `workload.spiffe.io: true` header (SPIFFE Workload Endpoint §4: InvalidArgument
 * otherwise); streams send a full snapshot at once and after every change.
 */
import * as grpc from '@grpc/grpc-js';
import { decodeJwt } from 'jose';
// The modules themselves, not identity/index.ts: the sidecar needs none of the CA's code.
import { validateJwtSvid } from '../../identity/jwt-svid.js';
import { parseTrustDomain, trustDomainId } from '../../identity/spiffe-id.js';
import type { CaApi } from '../identity/ca-api.js';
import type { IdentityClient, IdentityLog } from '../identity/identity-client.js';
import { createAppIdentity, type AppIdentityOptions } from './app-identity.js';
import { SECURITY_HEADER } from './proto.js';
import { WORKLOAD_API_SERVICE } from './service-definition.js';
import { jwtBundlesResponse, toStruct, x509BundlesResponse, x509SvidResponse } from './snapshots.js';
import { prepareSocketPath, secureSocket } from './socket.js';

export interface WorkloadApiServerOptions extends Omit<AppIdentityOptions, 'log'> {
  /** `<dir>/agent.sock`; `<dir>` is created 0700. */
  socketPath: string;
  ca: CaApi;
  /** The proxy's identity: its certificate asks the CA for the app's own. */
  proxy: IdentityClient;
  log: IdentityLog;
}

export interface WorkloadApiServer {
  readonly socketPath: string;
  /** The app's identity (for proxy-config and tests); its key is the app's, not the proxy's. */
  readonly app: IdentityClient;
  close(): Promise<void>;
}

type Call = grpc.ServerWritableStream<unknown, unknown> | grpc.ServerUnaryCall<unknown, unknown>;

function invalid(message: string): Partial<grpc.StatusObject> {
  return { code: grpc.status.INVALID_ARGUMENT, details: message };
}

/** The spec's security header: exactly `true`, so a browser or a proxy cannot reach us by accident. */
function hasSecurityHeader(call: Call): boolean {
  const values = call.metadata.get(SECURITY_HEADER);
  return values.length === 1 && values[0] === 'true';
}

/** Keeps a stream on `source`'s changes: a snapshot now, then one per change, until the caller leaves. */
function follow(call: grpc.ServerWritableStream<unknown, unknown>, app: IdentityClient, snapshot: () => unknown): void {
  if (!hasSecurityHeader(call)) {
    call.emit('error', invalid('security header missing from request'));
    return;
  }
  call.write(snapshot());
  const stop = app.onChange(() => {
    if (!call.cancelled && call.writable) call.write(snapshot());
  });
  call.on('cancelled', stop);
  call.on('close', stop);
  call.on('error', stop);
}

/**
 * Starts the app's identity and serves the Workload API on `socketPath`.
 * @example const api = await startWorkloadApiServer({ socketPath, ca, proxy: identity, log });
 */
export async function startWorkloadApiServer(options: WorkloadApiServerOptions): Promise<WorkloadApiServer> {
  const { ca, proxy, log, socketPath, ...appOptions } = options;
  const app = createAppIdentity(ca, proxy, { ...appOptions, log });
  await app.start();
  const now = appOptions.clock ?? (() => new Date());
  const server = new grpc.Server();
  server.addService(WORKLOAD_API_SERVICE, {
    FetchX509SVID: (call: grpc.ServerWritableStream<unknown, unknown>) => follow(call, app, () => x509SvidResponse(app.current(), app.bundle())),
    FetchX509Bundles: (call: grpc.ServerWritableStream<unknown, unknown>) => follow(call, app, () => x509BundlesResponse(app.bundle())),
    FetchJWTBundles: (call: grpc.ServerWritableStream<unknown, unknown>) => follow(call, app, () => jwtBundlesResponse(app.bundle())),
    FetchJWTSVID: (call: grpc.ServerUnaryCall<{ audience: string[]; spiffe_id: string }, unknown>, done: grpc.sendUnaryData<unknown>) => {
      if (!hasSecurityHeader(call)) return done(invalid('security header missing from request'));
      const { audience, spiffe_id: wanted } = call.request;
      if (audience.length === 0 || audience.some((a) => a === '')) return done(invalid('audience must be specified'));
      const id = app.current();
      if (wanted !== '' && wanted !== id.spiffeId) return done({ code: grpc.status.PERMISSION_DENIED, details: `no identity ${wanted} for this workload` });
      ca.mintJwtSvid({ audiences: audience, presented: id }).then(
        (svid) => done(null, { svids: [{ spiffe_id: id.spiffeId, svid, hint: '' }] }),
        (err: { code?: string }) => {
          log.warn({ code: err.code ?? 'MG_CA_UNAVAILABLE' }, 'JWT-SVID request failed');
          done({ code: grpc.status.UNAVAILABLE, details: 'could not get a JWT-SVID from the CA' });
        },
      );
    },
    ValidateJWTSVID: (call: grpc.ServerUnaryCall<{ audience: string; svid: string }, unknown>, done: grpc.sendUnaryData<unknown>) => {
      if (!hasSecurityHeader(call)) return done(invalid('security header missing from request'));
      const { audience, svid } = call.request;
      if (audience === '') return done(invalid('audience must be specified'));
      if (svid === '') return done(invalid('svid must be specified'));
      const bundle = app.bundle();
      validateJwtSvid(svid, { audience, keys: bundle.jwtKeys, trustDomain: parseTrustDomain(bundle.trustDomain), now }).then(
        // Decoded only after the signature and claims verified.
        (claims) => done(null, { spiffe_id: claims.spiffeId, claims: toStruct(decodeJwt(svid) as Record<string, unknown>) }),
        (err: Error) => done(invalid(err.message)),
      );
    },
  });
  prepareSocketPath(socketPath);
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix:${socketPath}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve()));
  });
  // Between bind and chmod the socket has umask's mode, but its 0700 directory keeps others out.
  secureSocket(socketPath);
  log.info({ socketPath, spiffeId: app.current().spiffeId, trustDomain: trustDomainId(parseTrustDomain(app.bundle().trustDomain)) }, 'Workload API listening');
  return {
    socketPath,
    app,
    close: async () => {
      app.close();
      // Force: FetchX509SVID streams are meant to stay open forever; waiting for them would never end.
      server.forceShutdown();
    },
  };
}
