import { randomFillSync } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import { CsrRefusedError, IdentityError, IdentityErrorCode } from '../errors.js';
import { trustDomainOf, type SpiffeId } from '../spiffe-id.js';
import type { CertificateAuthority } from './authority.js';
import { assembleCertificate, toPem, type DerCertificate } from './certificate.js';
import { csrVerdictError, parseAndVerifyCsr, parseAndVerifyCsrWith, readCsrForVerification, type CsrSignature, type CsrVerdict, type ParsedCsr } from './csr.js';
import { hashFor, isBuiltinKeyStore } from './key-store.js';
import { buildLeafTemplate, renderLeafTbs, type LeafTemplate } from './leaf-template.js';
import { validateX509Svid } from './validate.js';

/** X.509-SVIDs live a day unless asked otherwise (Istio's default workload cert TTL). */
export const DEFAULT_SVID_TTL_MS = 24 * 3600 * 1000;
/** The longest lifetime a caller may ask for; longer asks are capped, not refused. */
export const DEFAULT_MAX_SVID_TTL_MS = 7 * 24 * 3600 * 1000;
/** notBefore is set this far back so peers with a clock a little behind accept the SVID at once. */
export const DEFAULT_BACKDATE_MS = 60 * 1000;
// The X.509-SVID issue asks for at most 5 minutes of backdating.
const MAX_BACKDATE_MS = 5 * 60 * 1000;

/** Events: `{ spiffeId, serial, notAfter }` on issue; `{ spiffeId, code, reason }` on refusal. */
export const SVID_ISSUED_CHANNEL = 'meshguard:identity:svid-issued';
export const CSR_REFUSED_CHANNEL = 'meshguard:identity:csr-refused';
const issuedChannel = diagnostics.channel(SVID_ISSUED_CHANNEL);
const refusedChannel = diagnostics.channel(CSR_REFUSED_CHANNEL);

export interface SvidIssuerOptions {
  ca: CertificateAuthority;
  now: () => Date;
  defaultTtlMs?: number;
  maxTtlMs?: number;
  backdateMs?: number;
  /**
   * Re-verify each minted signature with the CA public key. Default: on for plugged-in key
   * stores, off for the built-in memory store (see BUILTIN_KEY_STORE; bench/identity shows the cost).
   */
  verifySignatures?: boolean;
  /**
   * Checks CSR self-signatures elsewhere (the CA's crypto workers: `crypto-workers.ts`), so
   * the caller's event loop imports no key; default: on this thread.
   */
  verifyCsr?: (signature: CsrSignature) => Promise<CsrVerdict>;
  /**
   * Checks the CSR's self-signature and signs the leaf in one step elsewhere (one message to a
   * crypto worker: `CryptoWorkers.verifyCsrThenSign`); takes precedence over `verifyCsr` and
   * `ca.keyStore.sign`. Its signature must be the CA key's (it is validated like any other).
   */
  verifyCsrThenSign?: (csr: CsrSignature, tbs: Uint8Array) => Promise<Buffer | Exclude<CsrVerdict, 'ok'>>;
}

/** When the crypto of one issuance left for a worker and came back (`performance.timeOrigin + performance.now()`, ms). */
export interface IssueStamps {
  workerPost?: number;
  workerDone?: number;
}

export interface SvidRequest {
  /** The CSR, DER. Only its public key is used. */
  csrDer: Uint8Array;
  /** The ID the attestation proved: the only ID the certificate can carry. */
  spiffeId: SpiffeId;
  ttlMs?: number;
  /** Filled in when given: for per-call latency traces (bench/ca-service BENCH_TRACE=1). */
  stamps?: IssueStamps;
}

export interface IssuedSvid {
  spiffeId: SpiffeId;
  certDer: DerCertificate;
  /** Leaf first, then intermediates (no root). */
  chainDer: DerCertificate[];
  chainPem: string;
  notBefore: Date;
  notAfter: Date;
  serial: string;
}

export interface SvidIssuer {
  readonly ca: CertificateAuthority;
  issue(request: SvidRequest): Promise<IssuedSvid>;
}

/**
 * Makes the CA's X.509-SVID issuer: leaf templates are built once here, then each `issue`
 * parses and verifies the CSR, patches, signs, validates and returns the chain.
 * @example
 * const issuer = await createSvidIssuer({ ca, now: () => new Date() });
 * const svid = await issuer.issue({ csrDer, spiffeId: workloadId(td, 'default', 'web') });
 */
export async function createSvidIssuer(options: SvidIssuerOptions): Promise<SvidIssuer> {
  const backdateMs = options.backdateMs ?? DEFAULT_BACKDATE_MS;
  if (backdateMs < 0 || backdateMs > MAX_BACKDATE_MS) throw new TypeError(`backdateMs must be within 0..${MAX_BACKDATE_MS}`);
  const maxTtlMs = options.maxTtlMs ?? DEFAULT_MAX_SVID_TTL_MS;
  const defaultTtlMs = Math.min(options.defaultTtlMs ?? DEFAULT_SVID_TTL_MS, maxTtlMs);
  const { ca } = options;
  const templates = { ec: await buildLeafTemplate(ca, 'ec'), rsa: await buildLeafTemplate(ca, 'rsa') };
  const chainTail = [...ca.intermediates];
  if (!ca.roots.some((r) => r.equals(ca.certificate))) chainTail.unshift(ca.certificate);
  const hash = hashFor(ca.keyStore.algorithm);
  const verifySignatures = options.verifySignatures ?? !isBuiltinKeyStore(ca.keyStore);
  const { verifyCsr, verifyCsrThenSign } = options;

  async function issue(request: SvidRequest): Promise<IssuedSvid> {
    const { spiffeId } = request;
    if (trustDomainOf(spiffeId) !== ca.trustDomain) {
      throw new IdentityError(IdentityErrorCode.SPIFFE_ID_INVALID, `${spiffeId} is not in trust domain ${ca.trustDomain}`, { reason: 'foreign-trust-domain' });
    }
    const stamps = request.stamps;
    let csr: Omit<ParsedCsr, 'publicKey'>;
    let sign: (tbs: Buffer) => Promise<Buffer>;
    if (verifyCsrThenSign) {
      const read = readCsrForVerification(request.csrDer);
      csr = read.csr;
      // The verdict is checked before anything else about the CSR, as on the other paths.
      sign = async (tbs) => {
        if (stamps) stamps.workerPost = stampClock();
        const out = await verifyCsrThenSign(read.signature, tbs);
        if (stamps) stamps.workerDone = stampClock();
        if (typeof out === 'string') throw csrVerdictError(out);
        checkUriSans(csr, spiffeId);
        return out;
      };
    } else {
      csr = verifyCsr ? await parseAndVerifyCsrWith(request.csrDer, verifyCsr) : parseAndVerifyCsr(request.csrDer);
      checkUriSans(csr, spiffeId);
      sign = async (tbs) => ca.keyStore.sign(tbs);
    }
    const now = options.now();
    const { notBefore, notAfter } = leafWindow(now, ca, request.ttlMs ?? defaultTtlMs, maxTtlMs, backdateMs);
    const template: LeafTemplate = csr.keyKind === 'rsa' ? templates.rsa : templates.ec;
    const serial = randomSerial();
    const tbs = renderLeafTbs(template, { serial, notBefore, notAfter, spki: csr.spki, uri: spiffeId });
    const certDer = assembleCertificate(tbs, template.signatureAlgorithm, await sign(tbs));
    validateX509Svid(certDer, {
      spiffeId, issuerName: ca.subjectName, issuerNotAfter: ca.notAfter, now, spki: csr.spki,
      ...(verifySignatures ? { issuerPublicKey: ca.keyStore.publicKey, hash } : {}),
    });
    const chainDer = [certDer, ...chainTail];
    const svid = { spiffeId, certDer, chainDer, chainPem: toPem(chainDer), notBefore, notAfter, serial: serial.toString('hex') };
    if (issuedChannel.hasSubscribers) issuedChannel.publish({ spiffeId, serial: svid.serial, notAfter });
    return svid;
  }

  return Object.freeze({
    ca,
    async issue(request: SvidRequest): Promise<IssuedSvid> {
      try {
        return await issue(request);
      } catch (err) {
        // Refusals are logged by whoever subscribes (the control plane's logger and metrics).
        if (err instanceof IdentityError && refusedChannel.hasSubscribers) {
          refusedChannel.publish({ spiffeId: request.spiffeId, code: err.code, reason: err.reason });
        }
        throw err;
      }
    },
  });
}

/** The clock of `IssueStamps`: `performance.timeOrigin + performance.now()`, comparable across processes of one machine. */
export const stampClock = (): number => performance.timeOrigin + performance.now();

// The ID comes from the attestation, never the CSR: a URI SAN may only repeat it.
function checkUriSans(csr: Pick<ParsedCsr, 'uriSans'>, spiffeId: SpiffeId): void {
  if (csr.uriSans.some((uri) => uri !== spiffeId) || csr.uriSans.length > 1) {
    throw new CsrRefusedError(IdentityErrorCode.CSR_SAN_MISMATCH, 'CSR URI SAN names another identity than the attested one', { reason: 'uri-san-mismatch' });
  }
}

/**
 * The leaf's validity: backdated for clock skew (not before the CA), lifetime capped by
 * the maximum and by the CA's own notAfter, both cut to whole seconds as DER stores them.
 */
export function leafWindow(now: Date, ca: Pick<CertificateAuthority, 'notBefore' | 'notAfter'>, ttlMs: number, maxTtlMs: number, backdateMs: number): { notBefore: Date; notAfter: Date } {
  const t = now.getTime();
  if (t < ca.notBefore.getTime() || t >= ca.notAfter.getTime()) {
    throw new IdentityError(IdentityErrorCode.CA_NOT_VALID_NOW, `CA certificate is not valid now (valid ${ca.notBefore.toISOString()} to ${ca.notAfter.toISOString()})`, { reason: 'ca-window' });
  }
  if (!(ttlMs > 0)) throw new TypeError('ttlMs must be positive');
  const floorSec = (ms: number) => Math.floor(ms / 1000) * 1000;
  const notBefore = new Date(Math.max(floorSec(t - backdateMs), Math.ceil(ca.notBefore.getTime() / 1000) * 1000));
  const notAfter = new Date(floorSec(Math.min(t + Math.min(ttlMs, maxTtlMs), ca.notAfter.getTime())));
  if (notAfter.getTime() <= t) {
    throw new IdentityError(IdentityErrorCode.CA_NOT_VALID_NOW, 'CA certificate expires within the second: nothing can be issued', { reason: 'ca-window' });
  }
  return { notBefore, notAfter };
}

// One CSPRNG call per 64 serials: a call per certificate cost ~10 µs of the hot path.
const SERIAL_BYTES = 16;
const serialPool = Buffer.alloc(SERIAL_BYTES * 64);
let serialAt = serialPool.length;

function randomSerial(): Buffer {
  if (serialAt === serialPool.length) {
    randomFillSync(serialPool);
    serialAt = 0;
  }
  // Copied out so the pool's next refill never changes an issued serial.
  const b = Buffer.from(serialPool.subarray(serialAt, serialAt + SERIAL_BYTES));
  serialAt += SERIAL_BYTES;
  // 128 bits (127 random), first byte 0x01..0x7f: positive, minimal DER, always 16 octets.
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b;
}
