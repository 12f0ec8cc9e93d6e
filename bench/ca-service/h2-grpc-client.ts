/**
 * The bench's load client: gRPC unary calls of the CA API on `node:http2` with the
 * messages framed by hand (5-byte gRPC prefix + the protocol's JSON, as
 * `src/control/ca-api/protocol.ts` has grpc-js send them), one HTTP/2 session per
 * pooled channel, mTLS with the workload's SVID exactly as `caClient` presents it.
 * It skips grpc-js's channel, resolver, interceptor and metadata machinery, which
 * cost the load generator ~0.6 ms of CPU per call on the 2 cores it shares with
 * the server. Bench only: production uses `caClient`.
 */
import { connect, constants, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { CA_SERVICE_NAME, ERROR_CODE_METADATA_KEY, type RenewRequest, type SvidResponse } from '../../src/control/ca-api/protocol.js';

const { HTTP2_HEADER_METHOD, HTTP2_HEADER_PATH, HTTP2_HEADER_CONTENT_TYPE, HTTP2_HEADER_TE, HTTP2_HEADER_AUTHORITY } = constants;

export interface H2CaClient {
  renew(request: RenewRequest): Promise<SvidResponse>;
  close(): void;
}

/** A refused or failed call: the server's `mg-code` when it sent one, else the gRPC status. */
export class H2CallError extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

/**
 * @example
 *   const c = h2CaClient({ address: '127.0.0.1:8443', identity: { chainPem, keyPem, rootPem } });
 *   const svid = await c.renew({ csrDer });
 */
export function h2CaClient(options: { address: string; identity: { chainPem: string; keyPem: string; rootPem: string }; deadlineMs?: number }): H2CaClient {
  const { identity } = options;
  // An IP literal is no TLS server name: check the certificate for localhost, as caClient does.
  const session: ClientHttp2Session = connect(`https://${options.address}`, {
    ca: identity.rootPem, cert: identity.chainPem, key: identity.keyPem, servername: 'localhost',
  });
  session.on('error', () => { /* each call reports its own failure */ });
  const timeout = `${options.deadlineMs ?? 5000}m`;
  const path = `/${CA_SERVICE_NAME}/Renew`;
  const headers = {
    [HTTP2_HEADER_METHOD]: 'POST', [HTTP2_HEADER_PATH]: path, [HTTP2_HEADER_AUTHORITY]: 'localhost',
    [HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc', [HTTP2_HEADER_TE]: 'trailers', 'grpc-timeout': timeout,
  };

  function renew(request: RenewRequest): Promise<SvidResponse> {
    const json = Buffer.from(JSON.stringify(request), 'utf8');
    const frame = Buffer.allocUnsafe(5 + json.length);
    frame[0] = 0; // not compressed
    frame.writeUInt32BE(json.length, 1);
    json.copy(frame, 5);
    return new Promise((resolve, reject) => {
      const stream = session.request(headers, { endStream: false });
      const chunks: Buffer[] = [];
      let status: IncomingHttpHeaders | undefined;
      // A refusal is trailers-only: grpc-status arrives with the response headers.
      stream.on('response', (h) => { if (h['grpc-status'] !== undefined) status = h; });
      stream.on('trailers', (t) => { status = t; });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => reject(new H2CallError('MG_CA_UNAVAILABLE', err.message)));
      stream.on('end', () => {
        const code = String(status?.['grpc-status'] ?? 'missing');
        if (code !== '0') {
          const mg = status?.[ERROR_CODE_METADATA_KEY];
          reject(new H2CallError(typeof mg === 'string' ? mg : `grpc-status ${code}`, decodeURIComponent(String(status?.['grpc-message'] ?? ''))));
          return;
        }
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        resolve(JSON.parse(body.toString('utf8', 5, 5 + body.readUInt32BE(1))) as SvidResponse);
      });
      stream.end(frame);
    });
  }

  return { renew, close: () => session.close() };
}
