/**
 * A `CaApi` that runs the real CA library in this process: real certificates, real
 * signatures, no network. It stands in for the gRPC client of the control plane's CA
 * API (`src/control/ca-api/`) until that lands, and stays useful for tests and
 * benchmarks. It checks what the real server checks: the attestation on `sign`, and on
 * `renew` / `mintJwtSvid` a presented chain that verifies to a trusted root, is valid
 * now, belongs to the key presented with it (the TLS handshake proves that over the
 * wire) and names one SPIFFE ID of our trust domain.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import {
  certificatesFromPem, createSvidIssuer, jwtKeySet, mintJwtSvid, toPem,
  type CertificateAuthority, type DerCertificate, type JwtSigningKey, type SpiffeId, type SvidIssuer,
} from '../../identity/index.js';
import { trustAnchorsOf, verifyChain } from '../../identity/verify-chain.js';
import { peerIdentityOf } from '../tls/index.js';
import type { AttestationToken, CaApi, CaBundle, MtlsCredentials, SignedSvid } from './ca-api.js';
import { IDENTITY_CLIENT_ERROR_CODES, IdentityClientError } from './errors.js';

export interface InProcessCaOptions {
  ca: CertificateAuthority;
  now: () => Date;
  /** Turns an attestation into the SPIFFE ID it proves; rejects when it proves nothing. */
  attest: (attestation: AttestationToken) => Promise<SpiffeId>;
  /** X.509-SVID lifetime; tests use seconds. */
  svidTtlMs?: number;
  /** notBefore backdating (the CA's default is a minute; seconds-long tests want 0). */
  backdateMs?: number;
  /** The trust domain's JWT-SVID key; a fresh P-256 key when absent. */
  jwtKey?: JwtSigningKey;
}

export interface InProcessCaApi extends CaApi {
  /**
   * Switches signing to `next` (a root rotation): the bundle then holds the old roots and
   * the new ones, so SVIDs of either verify until the old ones are retired.
   */
  rotateTo(next: CertificateAuthority): Promise<void>;
}

function unauthenticated(reason: string, message: string): IdentityClientError {
  return new IdentityClientError(IDENTITY_CLIENT_ERROR_CODES.CA_UNAUTHENTICATED, message, { reason });
}

/**
 * Makes the stand-in CA.
 * @example
 * const ca = await createInProcessCaApi({ ca: root, now: () => new Date(), attest: async () => workloadId(td, 'default', 'web') });
 * const svid = await ca.sign({ csrDer, attestation: { type: 'join', evidence: { token } } });
 */
export async function createInProcessCaApi(options: InProcessCaOptions): Promise<InProcessCaApi> {
  const issuerFor = (ca: CertificateAuthority) => createSvidIssuer({
    ca, now: options.now, ...(options.svidTtlMs === undefined ? {} : { defaultTtlMs: options.svidTtlMs }),
    ...(options.backdateMs === undefined ? {} : { backdateMs: options.backdateMs }),
  });
  let issuer: SvidIssuer = await issuerFor(options.ca);
  let roots: DerCertificate[] = [...options.ca.roots];
  let sequence = 1;
  const trustDomain = options.ca.trustDomain;
  const jwtKey = options.jwtKey ?? { kid: randomBytes(12).toString('hex'), privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey };
  const jwtPublicKey = createPublicKey(jwtKey.privateKey);

  const bundle = (): CaBundle => ({
    trustDomain,
    x509RootsPem: toPem(roots),
    federatedRootsPem: {},
    jwtKeys: jwtKeySet({ jwtKeys: [{ kid: jwtKey.kid, publicKey: jwtPublicKey }] }),
    sequence,
  });

  async function issue(csrDer: Uint8Array, spiffeId: SpiffeId): Promise<SignedSvid> {
    const svid = await issuer.issue({ csrDer, spiffeId });
    return { spiffeId, certChainPem: svid.chainPem, bundle: bundle() };
  }

  function callerOf(presented: MtlsCredentials): SpiffeId {
    return verifyPresented(presented, roots, trustDomain, options.now());
  }

  return {
    async sign({ csrDer, attestation }) {
      let spiffeId: SpiffeId;
      try {
        spiffeId = await options.attest(attestation);
      } catch (cause) {
        // The attestor's code tells the operator why; the token itself is never repeated.
        throw new IdentityClientError(IDENTITY_CLIENT_ERROR_CODES.CA_UNAUTHENTICATED, 'attestation refused', { reason: 'attestation', cause });
      }
      return issue(csrDer, spiffeId);
    },
    renew: async ({ csrDer, presented }) => issue(csrDer, callerOf(presented)),
    fetchBundle: async () => bundle(),
    mintJwtSvid: async ({ audiences, presented }) => mintJwtSvid({ spiffeId: callerOf(presented), audience: audiences, key: jwtKey, now: options.now }),
    async rotateTo(next) {
      issuer = await issuerFor(next);
      roots = [...roots, ...next.roots.filter((r) => !roots.some((o) => o.equals(r)))];
      sequence += 1;
    },
  };
}

/**
 * The SPIFFE ID a client certificate proves: key possession shown, chain verified up to a
 * trusted root (identity/verify-chain.ts), one SPIFFE URI SAN of our domain.
 */
export function verifyPresented(presented: MtlsCredentials, roots: readonly DerCertificate[], trustDomain: string, now: Date): SpiffeId {
  const chain = certificatesFromPem(presented.certChainPem).map((d) => new X509Certificate(d));
  const leaf = chain[0];
  if (!leaf) throw unauthenticated('no-certificate', 'no client certificate presented');
  try {
    if (!leaf.checkPrivateKey(createPrivateKey(presented.keyPem))) throw new Error('mismatch');
  } catch {
    throw unauthenticated('key-mismatch', 'the presented key does not belong to the presented certificate');
  }
  const verdict = verifyChain(leaf, chain.slice(1), trustAnchorsOf(roots), { purpose: 'client', now });
  if (!verdict.ok) {
    throw unauthenticated(verdict.reason === 'not-valid-now' ? 'not-valid-now' : 'untrusted', `the presented certificate does not verify against this trust domain (${verdict.reason})`);
  }
  const id = peerIdentityOf(leaf, new Set([trustDomain]));
  if (!id.ok) throw unauthenticated(id.reason, `the presented certificate is not an X.509-SVID of ${trustDomain} (${id.reason})`);
  return id.spiffeId;
}
