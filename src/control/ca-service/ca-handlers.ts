/**
 * The CA API's four operations, free of gRPC: each takes the parsed request and
 * the verified peer certificate (if any) and returns the response or throws an
 * error with a stable code. The SPIFFE ID always comes from the attestation
 * (Sign) or the TLS-verified peer certificate (Renew, MintJwtSvid), never from
 * the CSR; every issuance is recorded before it is returned.
 */
import type { PeerCertificate } from 'node:tls';
import {
  mintJwtSvid, parseAndVerifyCsr, parseSpiffeId, toPem, trustDomainOf, type IssuedSvid, type SpiffeId,
} from '../../identity/index.js';
import type { BundleResponse, JwtSvidResponse, SvidResponse } from '../ca-api/protocol.js';
import { csrBytes } from '../ca-api/protocol.js';
import type { IdentityService } from '../identity-service.js';
import type { IssuedCertRecorder } from '../store/issued-cert-recorder.js';
import { CaServiceError, CaServiceErrorCode } from './errors.js';
import type { ManagedCa } from './managed-ca.js';
import { parseMintJwtSvidRequest, parseRenewRequest, parseSignRequest } from './request-schemas.js';
import type { Lineage, SvidLineage } from './svid-lineage.js';
import type { CaCallTrace } from './call-trace.js';

export interface CaHandlerDeps {
  ca: ManagedCa;
  identities: IdentityService;
  recorder: IssuedCertRecorder;
  lineage: SvidLineage;
  now: () => Date;
}

/** Fields a refusal log line may carry (never the token or the CSR). */
export interface RefusalContext {
  spiffeId?: string;
  attestor?: string;
}

export interface CaHandlers {
  /** `trace`, when given, gets the issuance's stamps and serial (see call-trace.ts). */
  sign(request: unknown, context: RefusalContext, trace?: CaCallTrace): Promise<SvidResponse>;
  renew(request: unknown, peer: PeerCertificate | undefined, context: RefusalContext, trace?: CaCallTrace): Promise<SvidResponse>;
  fetchBundle(): BundleResponse;
  mintJwtSvid(request: unknown, peer: PeerCertificate | undefined, context: RefusalContext): Promise<JwtSvidResponse>;
}

/**
 * @example
 *   const handlers = caHandlers({ ca, identities, recorder, lineage, now: () => new Date() });
 *   const svid = await handlers.sign({ csrPem, attestation: { type: 'join', token } }, {});
 */
export function caHandlers(deps: CaHandlerDeps): CaHandlers {
  const { ca, identities } = deps;

  // The roots' PEM changes only with a rotation step (which bumps the sequence) or a new signing CA:
  // encoding it once per change instead of once per call.
  let pems: { sequence: number; root: Buffer; rootPem: string; bundlePem: string } | undefined;
  const rootPems = () => {
    const sequence = ca.sequence();
    const root = ca.signingRoot();
    if (pems?.sequence !== sequence || pems.root !== root) pems = { sequence, root, rootPem: toPem([root]), bundlePem: toPem(ca.trustedRoots()) };
    return pems;
  };

  async function issue(csrDer: Buffer, spiffeId: SpiffeId, ttlSeconds: number | undefined, lineage: Omit<Lineage, 'notAfter' | 'spiffeId'>, trace: CaCallTrace | undefined): Promise<SvidResponse> {
    const svid: IssuedSvid = await ca.issuer().issue({ csrDer, spiffeId, ...(ttlSeconds ? { ttlMs: ttlSeconds * 1000 } : {}), ...(trace ? { stamps: trace } : {}) });
    const notAfter = svid.notAfter.getTime();
    if (trace) trace.serial = svid.serial;
    deps.lineage.remember(svid.serial, { spiffeId, notAfter, ...lineage });
    await deps.recorder.record({ serial: svid.serial, spiffeId, notAfter, issuedAt: deps.now().getTime(), lineage });
    const { rootPem, bundlePem } = rootPems();
    return { spiffeId, serial: svid.serial, notAfter: svid.notAfter.toISOString(), chainPem: svid.chainPem + rootPem, bundlePem };
  }

  /** The verified peer's SPIFFE ID and what vouched for its certificate. */
  async function peerIdentity(peer: PeerCertificate | undefined, context: RefusalContext): Promise<Lineage & { spiffeId: SpiffeId }> {
    // grpc-js exposes the peer certificate only when TLS verified it against our trusted roots.
    if (!peer?.raw) throw new CaServiceError(CaServiceErrorCode.MTLS_REQUIRED, 'this call needs mTLS with a current SVID of this trust domain; attest with Sign first');
    const uris = (peer.subjectaltname ?? '').split(', ').filter((n) => n.startsWith('URI:')).map((n) => n.slice(4));
    let spiffeId: SpiffeId | undefined;
    try {
      if (uris.length === 1) spiffeId = parseSpiffeId(uris[0]!);
    } catch { /* refused below */ }
    if (!spiffeId || trustDomainOf(spiffeId) !== ca.trustDomain) {
      throw new CaServiceError(CaServiceErrorCode.PEER_NOT_IN_TRUST_DOMAIN, `the client certificate names no SPIFFE ID of trust domain ${ca.trustDomain}`);
    }
    context.spiffeId = spiffeId;
    const lineage = await deps.lineage.lookup(peer.serialNumber.toLowerCase(), deps.now().getTime());
    if (!lineage || lineage.spiffeId !== spiffeId) {
      throw new CaServiceError(CaServiceErrorCode.UNKNOWN_CERTIFICATE, `the client certificate of ${spiffeId} is not one this CA issued and tracks; attest again with Sign`);
    }
    await identities.checkRenewal(lineage);
    return { ...lineage, spiffeId };
  }

  return {
    async sign(request, context, trace) {
      const req = parseSignRequest(request);
      context.attestor = req.attestation.type;
      const csrDer = csrBytes(req);
      // The CSR is checked before the token is redeemed, so a bad CSR does not burn a single-use token.
      parseAndVerifyCsr(csrDer);
      const { type, token, namespace, serviceAccount } = req.attestation;
      const id = await identities.attest(type, { token, ...(namespace ? { namespace } : {}), ...(serviceAccount ? { serviceAccount } : {}) });
      context.spiffeId = id.spiffeId;
      return issue(csrDer, parseSpiffeId(id.spiffeId), req.ttlSeconds, {
        ...(id.entryId ? { entryId: id.entryId } : {}), ...(id.tokenId ? { tokenId: id.tokenId } : {}),
      }, trace);
    },

    async renew(request, peer, context, trace) {
      const req = parseRenewRequest(request);
      const { spiffeId, entryId, tokenId } = await peerIdentity(peer, context);
      return issue(csrBytes(req), spiffeId, req.ttlSeconds, { ...(entryId ? { entryId } : {}), ...(tokenId ? { tokenId } : {}) }, trace);
    },

    fetchBundle() {
      return { trustDomain: ca.trustDomain, bundlePem: toPem(ca.trustedRoots()), bundleJson: JSON.stringify(ca.bundleDocument()), sequence: ca.sequence() };
    },

    async mintJwtSvid(request, peer, context) {
      const req = parseMintJwtSvidRequest(request);
      const { spiffeId } = await peerIdentity(peer, context);
      const now = deps.now();
      const token = await mintJwtSvid({ spiffeId, audience: req.audience, key: ca.jwtKey, now: () => now, ...(req.ttlSeconds ? { ttlSeconds: req.ttlSeconds } : {}) });
      const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number };
      return { token, spiffeId, expiresAt: new Date(payload.exp * 1000).toISOString() };
    },
  };
}
