/**
 * The CA API client: one pooled gRPC channel per client (HTTP/2 multiplexes all
 * calls on it), a deadline on every call, refusals turned back into `CaApiError`
 * with the server's stable code. First contact trusts `rootPem`; once the
 * caller holds an SVID it passes `identity` and the channel is mTLS.
 */
import { isIP } from 'node:net';
import { credentials, makeGenericClientConstructor, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { CaApiError } from './errors.js';
import {
  type BundleResponse, type CaMethodName, type CaMethods, caServiceDefinition, ERROR_CODE_METADATA_KEY,
  type JwtSvidResponse, type MintJwtSvidRequest, type RenewRequest, type SignRequest, type SvidResponse,
} from './protocol.js';

/** A CA call that has not answered within this is abandoned: issuance takes milliseconds. */
export const DEFAULT_CA_DEADLINE_MS = 5000;

export interface CaClientOptions {
  /** `host:port` of the CA API (`caAddress` in control-plane.json). */
  address: string;
  /** PEM of the roots to trust (`<dataDir>/ca/root-cert.pem`). Required unless `identity.rootPem` is given. */
  rootPem?: string;
  /** The caller's current SVID, for `renew` and `mintJwtSvid` (mTLS). */
  identity?: { chainPem: string; keyPem: string; rootPem?: string };
  deadlineMs?: number;
  /** The name to check in the server certificate (default: the address host, or `localhost` for an IP address). */
  serverName?: string;
}

export interface CaClient {
  sign(request: SignRequest): Promise<SvidResponse>;
  renew(request: RenewRequest): Promise<SvidResponse>;
  fetchBundle(): Promise<BundleResponse>;
  mintJwtSvid(request: MintJwtSvidRequest): Promise<JwtSvidResponse>;
  /** Closes the channel; calls after this reject. */
  close(): void;
}

const GenericClient = makeGenericClientConstructor(caServiceDefinition, 'CertificateAuthority');
type Unary = (req: unknown, md: Metadata, opts: { deadline: Date }, cb: (err: ServiceError | null, res?: unknown) => void) => void;

/**
 * @example
 *   const ca = caClient({ address: '127.0.0.1:8443', rootPem: readFileSync('.meshguard/ca/root-cert.pem', 'utf8') });
 *   const { chainPem, spiffeId } = await ca.sign({ csrPem, attestation: { type: 'join', token } });
 *   ca.close();
 */
export function caClient(options: CaClientOptions): CaClient {
  const rootPem = options.rootPem ?? options.identity?.rootPem;
  if (!rootPem) throw new TypeError('caClient needs rootPem (or identity.rootPem) to authenticate the CA');
  const creds = options.identity
    ? credentials.createSsl(Buffer.from(rootPem), Buffer.from(options.identity.keyPem), Buffer.from(options.identity.chainPem))
    : credentials.createSsl(Buffer.from(rootPem));
  // An IP literal is not a valid TLS server name (RFC 6066): check the certificate for `localhost`, which the control plane's SVID always names.
  const host = options.address.slice(0, options.address.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  const serverName = options.serverName ?? (isIP(host) ? 'localhost' : undefined);
  const channelOptions = serverName ? { 'grpc.ssl_target_name_override': serverName, 'grpc.default_authority': serverName } : {};
  const client = new GenericClient(options.address, creds, channelOptions);
  const deadlineMs = options.deadlineMs ?? DEFAULT_CA_DEADLINE_MS;

  function call<M extends CaMethodName>(method: M, request: CaMethods[M][0]): Promise<CaMethods[M][1]> {
    const fn = (client as unknown as Record<string, Unary>)[method]!.bind(client);
    return new Promise((resolve, reject) => {
      fn(request, new Metadata(), { deadline: new Date(Date.now() + deadlineMs) }, (err, res) => {
        if (err) reject(toCaApiError(err));
        else resolve(res as CaMethods[M][1]);
      });
    });
  }

  return {
    sign: (r) => call('Sign', r),
    renew: (r) => call('Renew', r),
    fetchBundle: () => call('FetchBundle', {}),
    mintJwtSvid: (r) => call('MintJwtSvid', r),
    close: () => client.close(),
  };
}

function toCaApiError(err: ServiceError): CaApiError {
  const code = err.metadata?.get(ERROR_CODE_METADATA_KEY)[0];
  if (typeof code === 'string') return new CaApiError(code, err.details, err.code);
  const what = err.code === status.DEADLINE_EXCEEDED ? 'did not answer in time' : `is unreachable (${err.details})`;
  return new CaApiError('MG_CA_UNAVAILABLE', `the CA API ${what}`, err.code, { cause: err });
}
