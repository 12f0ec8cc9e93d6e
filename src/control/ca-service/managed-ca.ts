/**
 * The CA as the control plane runs it: the signing generation and its issuer,
 * the rotation state (prepare → activate → retire, persisted in the store), the
 * trusted roots and the bundle, the JWT signing key. Either self-managed (roots
 * created in `<dataDir>/ca/`) or plugged in (`--ca-dir`: Istio cacerts or a
 * cert-manager CA secret), which signs with the given intermediate and is
 * rotated where it is managed, not here.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import {
  activateRotation, buildBundleDocument, createRootCa, createSvidIssuer, DEFAULT_CA_KEY_ALGORITHM, describeAuthority, initialRotation,
  loadPluggedCa, prepareRotation, retireRotation, toPem, trustedRoots,
  type CaKeyAlgorithm, type CertificateAuthority, type DerCertificate, type JwtSigningKey, type RotationState,
  type SpiffeBundleDocument, type SvidIssuer, type TrustDomain,
} from '../../identity/index.js';
import { sharedCryptoWorkers, type CryptoWorkers } from '../../identity/ca/crypto-workers.js';
import type { Store } from '../store/store.js';
import { caFiles } from './ca-files.js';
import { CaServiceError, CaServiceErrorCode } from './errors.js';
import { readRotation, type StoredRotation, writeRotation } from './rotation-record.js';
import { certificateWindow } from './certificate-info.js';

export type RotationStep = 'prepare' | 'activate' | 'retire';

export interface ManagedCaOptions {
  dataDir: string;
  trustDomain: TrustDomain;
  store: Store;
  now: () => Date;
  /** A plugged-in CA directory (Istio cacerts or cert-manager secret); absent → self-managed roots. */
  caDir?: string;
  /** Key algorithm of self-managed roots (default ECDSA P-256). */
  keyAlgorithm?: CaKeyAlgorithm;
  /** SVID lifetimes the issuer allows; also how long `retire` waits after `activate`. */
  defaultSvidTtlMs?: number;
  maxSvidTtlMs: number;
  rootTtlMs?: number;
  /**
   * Where leaves are signed and CSRs verified: the process's shared crypto workers by default,
   * so the event loop serving the CA API does no public-key work (bench/ca-service shows why);
   * `false` signs on the calling thread.
   */
  cryptoWorkers?: CryptoWorkers | false;
}

export interface ManagedCa {
  readonly trustDomain: TrustDomain;
  readonly mode: 'self-managed' | 'plugged';
  /** The JWT-SVID signing key of the signing generation (replaced on `activate`, like the issuer). */
  readonly jwtKey: JwtSigningKey;
  /** The issuer of the signing generation (replaced on `activate`). */
  issuer(): SvidIssuer;
  /** Roots trusted now, signing root first (two during a rotation). */
  trustedRoots(): DerCertificate[];
  /** The root the signing CA chains to. */
  signingRoot(): DerCertificate;
  sequence(): number;
  rotation(): StoredRotation | undefined;
  bundleDocument(): SpiffeBundleDocument;
  rotate(step: RotationStep, options?: { force?: boolean }): Promise<void>;
  /** Called after every change of the signing CA or the trusted roots (TLS contexts follow). */
  onChange(listener: () => void): void;
}

/**
 * @example
 *   const ca = await openManagedCa({ dataDir, trustDomain, store, now: () => new Date(), maxSvidTtlMs: 7 * 86400e3 });
 *   const svid = await ca.issuer().issue({ csrDer, spiffeId });
 */
export async function openManagedCa(opts: ManagedCaOptions): Promise<ManagedCa> {
  const files = caFiles(opts.dataDir);
  const listeners: (() => void)[] = [];
  const workers = opts.cryptoWorkers === false ? undefined : (opts.cryptoWorkers ?? sharedCryptoWorkers());
  const issuerOptions = (ca: CertificateAuthority) => {
    // One worker message per issuance (CSR check and signature) when the key can go to the workers.
    const verifyCsrThenSign = workers?.verifyCsrThenSign(ca.keyStore);
    return {
      ca: workers ? { ...ca, keyStore: workers.offload(ca.keyStore) } : ca,
      now: opts.now, maxTtlMs: opts.maxSvidTtlMs, ...(opts.defaultSvidTtlMs ? { defaultTtlMs: opts.defaultSvidTtlMs } : {}),
      ...(workers ? { verifyCsr: workers.verifyCsr } : {}),
      ...(verifyCsrThenSign ? { verifyCsrThenSign } : {}),
    };
  };

  if (opts.caDir) {
    const jwtKey = await jwtSigningKey(files.loadOrCreateJwtKey());
    const ca = loadPluggedCa(opts.caDir, opts.trustDomain);
    const issuer = await createSvidIssuer(issuerOptions(ca));
    files.writeRoots(ca.roots);
    const root = ca.roots.find((r) => r.equals(ca.intermediates.at(-1) ?? ca.certificate)) ?? ca.roots[0]!;
    return {
      trustDomain: opts.trustDomain, mode: 'plugged', jwtKey,
      issuer: () => issuer,
      trustedRoots: () => [...ca.roots],
      signingRoot: () => root,
      sequence: () => 1,
      rotation: () => undefined,
      bundleDocument: () => buildBundleDocument({ x509Roots: [...ca.roots], jwtKeys: [{ kid: jwtKey.kid, publicKey: jwtKeyPublic(jwtKey) }], sequence: 1 }),
      async rotate() {
        throw new CaServiceError(CaServiceErrorCode.ROTATION_UNSUPPORTED, `the CA is plugged in from ${opts.caDir}; rotate it where it is managed (Istio cacerts / cert-manager) and restart the control plane`);
      },
      onChange: (l) => void listeners.push(l),
    };
  }

  const algorithm = opts.keyAlgorithm ?? DEFAULT_CA_KEY_ALGORITHM;
  const newGeneration = async (id: string): Promise<CertificateAuthority> => {
    const ca = await createRootCa({ trustDomain: opts.trustDomain, keyStore: files.createKey(id, algorithm), now: opts.now, ...(opts.rootTtlMs ? { ttlMs: opts.rootTtlMs } : {}) });
    files.writeCert(id, ca.certificate);
    return ca;
  };
  const loadGeneration = (id: string): CertificateAuthority => {
    const cert = files.readCert(id);
    return describeAuthority({ trustDomain: opts.trustDomain, keyStore: files.loadKey(id), certificate: cert, intermediates: [], roots: [cert] });
  };

  let record = await readRotation(opts.store);
  if (!record) {
    const first = await newGeneration('ca-1');
    record = { state: initialRotation({ id: 'ca-1', root: first.certificate }), sequence: 1, retiredRoots: [] };
    await persist(record);
  }
  let signing = loadGeneration(record.state.current.id);
  let issuer = await createSvidIssuer(issuerOptions(signing));
  files.writeRoots(trustedRoots(record.state));
  // JWT-SVID keys rotate with the CA generations: each trusted generation's key is published, the current one signs.
  const jwtKeys = new Map<string, JwtSigningKey>();
  const loadJwtKeys = async (state: RotationState<unknown>) => {
    for (const id of generationIds(state)) if (!jwtKeys.has(id)) jwtKeys.set(id, await jwtSigningKey(files.loadJwtKey(id)));
  };
  await loadJwtKeys(record.state);
  const publishedJwtKeys = () => {
    const keys = generationIds(record!.state).map((id) => jwtKeys.get(id)!);
    // Generations from before JWT keys rotated share one key: publish it once.
    return keys.filter((k, i) => keys.findIndex((o) => o.kid === k.kid) === i).map((k) => ({ kid: k.kid, publicKey: jwtKeyPublic(k) }));
  };

  async function persist(r: StoredRotation): Promise<void> {
    await writeRotation(opts.store, r, opts.now().getTime(), certificateWindow);
  }

  async function rotate(step: RotationStep, o: { force?: boolean } = {}): Promise<void> {
    const r = record!;
    const now = opts.now();
    let state: RotationState<DerCertificate>;
    let retiredRoots = r.retiredRoots;
    if (step === 'prepare') {
      const id = nextId(r.state);
      // Refused before a key is made, so a refused step leaves no file behind.
      prepareRotation(r.state, { id, root: Buffer.alloc(0) as DerCertificate });
      state = prepareRotation(r.state, { id, root: (await newGeneration(id)).certificate });
      jwtKeys.set(id, await jwtSigningKey(files.createJwtKey(id)));
    } else if (step === 'activate') {
      state = activateRotation(r.state, now);
    } else {
      state = retireRotation(r.state, now, { maxSvidTtlMs: opts.maxSvidTtlMs, ...(o.force ? { force: true } : {}) });
      const gone = r.state.previous!;
      retiredRoots = [...retiredRoots, { id: gone.id, certificatePem: toPem([gone.root]), retiredAt: now.toISOString() }];
    }
    const next: StoredRotation = { state, sequence: r.sequence + 1, retiredRoots };
    const nextSigning = state.current.id === r.state.current.id ? signing : loadGeneration(state.current.id);
    const nextIssuer = nextSigning === signing ? issuer : await createSvidIssuer(issuerOptions(nextSigning));
    await loadJwtKeys(state);
    await persist(next);
    record = next;
    signing = nextSigning;
    issuer = nextIssuer;
    files.writeRoots(trustedRoots(state));
    for (const l of listeners) l();
  }

  return {
    trustDomain: opts.trustDomain, mode: 'self-managed',
    get jwtKey() { return jwtKeys.get(record!.state.current.id)!; },
    issuer: () => issuer,
    trustedRoots: () => trustedRoots(record!.state),
    signingRoot: () => signing.certificate,
    sequence: () => record!.sequence,
    rotation: () => record,
    bundleDocument: () => buildBundleDocument({
      x509Roots: trustedRoots(record!.state), jwtKeys: publishedJwtKeys(), sequence: record!.sequence,
    }),
    rotate,
    onChange: (l) => void listeners.push(l),
  };
}

/** `ca-<n+1>` after the highest generation ever used (ids are never reused). */
function nextId(state: RotationState<unknown>): string {
  const ids = [state.current.id, state.next?.id, state.previous?.id, ...state.retired].filter((x): x is string => x !== undefined);
  const n = Math.max(0, ...ids.map((id) => Number(/^ca-(\d+)$/.exec(id)?.[1] ?? 0)));
  return `ca-${n + 1}`;
}

/** The generations trusted now, signing one first (as `trustedRoots` orders their roots). */
function generationIds(state: RotationState<unknown>): string[] {
  return [state.current, state.next, state.previous].filter((s) => s !== undefined).map((s) => s.id);
}

async function jwtSigningKey(key: KeyObject): Promise<JwtSigningKey> {
  return { kid: await calculateJwkThumbprint(key.export({ format: 'jwk' }) as JWK), privateKey: key };
}

function jwtKeyPublic(k: JwtSigningKey) {
  return createPublicKey(k.privateKey);
}
