/**
 * The control plane's gRPC CA client (`control/ca-api`) seen through the narrow
 * `CaApi` the identity client and the Workload API use (`proxy/identity`). It lives
 * here because `proxy/` may not import `control/`: the sidecar assembly may.
 */
import type { JSONWebKeySet } from 'jose';
import { caClient, type CaClient } from '../../control/ca-api/client.js';
import { CaApiError } from '../../control/ca-api/errors.js';
import type { BundleResponse, SvidResponse } from '../../control/ca-api/protocol.js';
// The module itself, not the `identity/` barrel (nor ca/certificate.ts): those load the CA and @peculiar/x509.
import { certificatesFromPem, toPem } from '../../identity/pem.js';
import type { AttestationType } from '../../control/ca-api/protocol.js';
import type { CaApi, CaBundle, MtlsCredentials, SignedSvid } from '../../proxy/identity/ca-api.js';
import { IDENTITY_CLIENT_ERROR_CODES, IdentityClientError } from '../../proxy/identity/errors.js';

/** gRPC statuses that may pass on their own: retry while the current SVID is valid. */
const RETRYABLE_GRPC = new Set([4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 14 /* UNAVAILABLE */]);

export interface CaApiAdapterOptions {
  address: string;
  /** Roots trusted on first contact (`<dataDir>/ca/root-cert.pem`). */
  rootPem: string;
  /**
   * Asked before each call where the CA listens now (a restarted control plane gets new
   * ports and writes them to `control-plane.json`); `undefined` keeps the last known address.
   */
  discover?: () => Promise<string | undefined>;
}

/**
 * @example
 * const ca = grpcCaApi({ address: state.caAddress, rootPem: readFileSync('.meshguard/ca/root-cert.pem', 'utf8') });
 * const client = createIdentityClient({ ca, attestation: { type: 'local', evidence: { token } }, log });
 */
export function grpcCaApi(opts: CaApiAdapterOptions): CaApi & { close(): void } {
  let address = opts.address;
  let rootPem = opts.rootPem;
  // Rebuilt when the CA moves or the trusted roots change (after a root rotation the CA serves
  // with a certificate from the new root: a channel that trusts only the old one cannot reach it).
  let anon: { key: string; client: CaClient } | undefined;
  // One mTLS channel per presented certificate (a renewal changes it; the old one is closed).
  let mtls: { key: string; client: CaClient } | undefined;
  const locate = async (): Promise<void> => {
    const found = await opts.discover?.().catch(() => undefined);
    if (found) address = found;
  };
  const anonymous = async (): Promise<CaClient> => {
    await locate();
    const key = `${address}\n${rootPem}`;
    if (anon?.key !== key) {
      anon?.client.close();
      anon = { key, client: caClient({ address, rootPem }) };
    }
    return anon.client;
  };
  const withIdentity = async (presented: MtlsCredentials): Promise<CaClient> => {
    await locate();
    const key = `${address}\n${rootPem}\n${presented.certChainPem}`;
    if (mtls?.key !== key) {
      mtls?.client.close();
      mtls = { key, client: caClient({ address, identity: { chainPem: presented.certChainPem, keyPem: presented.keyPem, rootPem } }) };
    }
    return mtls.client;
  };

  async function bundleAfter(svid: SvidResponse): Promise<CaBundle> {
    rootPem = svid.bundlePem; // trust what the CA says now (a root rotation adds the new root here first)
    return toCaBundle(await mapped(async () => (await anonymous()).fetchBundle()));
  }
  const signed = async (svid: SvidResponse): Promise<SignedSvid> => ({
    spiffeId: svid.spiffeId,
    certChainPem: withoutRoots(svid.chainPem, svid.bundlePem),
    bundle: await bundleAfter(svid),
  });

  return {
    async sign({ csrDer, attestation }) {
      const svid = await mapped(async () => (await anonymous()).sign({
        csrDer: Buffer.from(csrDer).toString('base64'),
        attestation: { type: attestation.type as AttestationType, ...attestation.evidence },
      }));
      return signed(svid);
    },
    async renew({ csrDer, presented }) {
      return signed(await mapped(async () => (await withIdentity(presented)).renew({ csrDer: Buffer.from(csrDer).toString('base64') })));
    },
    async fetchBundle() {
      const b = await mapped(async () => (await anonymous()).fetchBundle());
      rootPem = b.bundlePem; // fetched over TLS checked against the roots we trust: follow a prepared rotation
      return toCaBundle(b);
    },
    async mintJwtSvid({ audiences, presented }) {
      return (await mapped(async () => (await withIdentity(presented)).mintJwtSvid({ audience: audiences }))).token;
    },
    close() {
      anon?.client.close();
      mtls?.client.close();
    },
  };
}

/** The chain as the proxy presents it: leaf and intermediates, not the roots peers already hold. */
function withoutRoots(chainPem: string, bundlePem: string): string {
  const roots = new Set(certificatesFromPem(bundlePem).map((c) => Buffer.from(c).toString('base64')));
  return toPem(certificatesFromPem(chainPem).filter((c) => !roots.has(Buffer.from(c).toString('base64'))));
}

function toCaBundle(b: BundleResponse): CaBundle {
  const doc = JSON.parse(b.bundleJson) as JSONWebKeySet;
  return {
    trustDomain: b.trustDomain,
    x509RootsPem: b.bundlePem,
    federatedRootsPem: {},
    jwtKeys: { keys: doc.keys.filter((k) => (k as { use?: string }).use === 'jwt-svid') },
    sequence: b.sequence,
  };
}

/** CA refusals keep their code and are final; transport trouble is retryable. */
async function mapped<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof CaApiError)) throw err;
    if (err.code === 'MG_CA_UNAVAILABLE' || RETRYABLE_GRPC.has(err.grpcCode)) {
      throw new IdentityClientError(IDENTITY_CLIENT_ERROR_CODES.CA_UNAVAILABLE, err.message, { reason: 'unavailable', retryable: true, cause: err });
    }
    throw new IdentityClientError(IDENTITY_CLIENT_ERROR_CODES.CA_UNAUTHENTICATED, `the CA refused: ${err.message} (${err.code})`, { reason: err.code, cause: err });
  }
}
