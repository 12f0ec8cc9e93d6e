/**
 * Starts the CA side of the control plane: the managed CA, the control plane's
 * own SVID (renewed at half its life, re-minted when the signing CA changes),
 * the gRPC CA API and the HTTPS bundle endpoint, both served with that SVID.
 */
import type { Logger } from 'pino';
import { DEFAULT_MAX_SVID_TTL_MS, toPem, type CaKeyAlgorithm, type TrustDomain } from '../../identity/index.js';
import { type BundleEndpoint, serveBundleEndpoint } from '../bundle-endpoint/serve-bundle.js';
import type { IdentityService } from '../identity-service.js';
import { createIssuedCertRecorder } from '../store/issued-cert-recorder.js';
import type { Store } from '../store/store.js';
import { caHandlers } from './ca-handlers.js';
import { caStatus, type CaStatus } from './ca-status.js';
import { mintControlPlaneSvid } from './control-plane-svid.js';
import { serveCaApi } from './grpc-server.js';
import { type ManagedCa, openManagedCa, type RotationStep } from './managed-ca.js';
import { ServingIdentity } from './serving-identity.js';
import { svidLineage } from './svid-lineage.js';

export interface CaServiceOptions {
  dataDir: string;
  trustDomain: TrustDomain;
  store: Store;
  identities: IdentityService;
  log: Logger;
  now: () => Date;
  /** CA API `host:port` (port 0: a free one). */
  listen: string;
  /** Bundle endpoint `host:port` (default: the CA API host, a free port). */
  bundleListen?: string;
  caDir?: string;
  keyAlgorithm?: CaKeyAlgorithm;
  defaultSvidTtlMs?: number;
  maxSvidTtlMs?: number;
}

/** What the admin routes use. */
export interface CaAdmin {
  status(): Promise<CaStatus>;
  rotate(step: RotationStep, options?: { force?: boolean }): Promise<CaStatus>;
}

export interface RunningCaService {
  caAddress: string;
  bundleUrl: string;
  ca: ManagedCa;
  admin: CaAdmin;
  /** The control plane's SVID and trusted roots, following renewals and rotations (the config stream serves with it too). */
  serving: ServingIdentity;
  close(): Promise<void>;
}

/**
 * @example
 *   const ca = await startCaService({ dataDir, trustDomain, store, identities, log, now: () => new Date(), listen: '127.0.0.1:0' });
 *   state.caAddress = ca.caAddress;
 */
export async function startCaService(opts: CaServiceOptions): Promise<RunningCaService> {
  const maxSvidTtlMs = opts.maxSvidTtlMs ?? DEFAULT_MAX_SVID_TTL_MS;
  const ca = await openManagedCa({
    dataDir: opts.dataDir, trustDomain: opts.trustDomain, store: opts.store, now: opts.now, maxSvidTtlMs,
    ...(opts.caDir ? { caDir: opts.caDir } : {}), ...(opts.keyAlgorithm ? { keyAlgorithm: opts.keyAlgorithm } : {}),
    ...(opts.defaultSvidTtlMs ? { defaultSvidTtlMs: opts.defaultSvidTtlMs } : {}),
  });
  const host = opts.listen.slice(0, opts.listen.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  const mint = async () => ({ svid: await mintControlPlaneSvid(ca.issuer().ca, { hosts: [host], now: opts.now() }), rootsPem: toPem(ca.trustedRoots()) });
  const serving = new ServingIdentity(await mint());
  const recorder = createIssuedCertRecorder(opts.store);
  const lineage = svidLineage(opts.store);
  const handlers = caHandlers({ ca, identities: opts.identities, recorder, lineage, now: opts.now });
  const api = await serveCaApi({ listen: opts.listen, handlers, serving, log: opts.log });
  let bundle: BundleEndpoint;
  try {
    bundle = await serveBundleEndpoint({ listen: opts.bundleListen ?? `${opts.listen.slice(0, opts.listen.lastIndexOf(':'))}:0`, identity: serving.current.svid, bundle: () => ca.bundleDocument() });
  } catch (err) {
    await api.close();
    throw err;
  }
  serving.onUpdate((m) => bundle.setIdentity(m.svid));

  let timer: NodeJS.Timeout | undefined;
  const refresh = async (why: string) => {
    try {
      serving.update(await mint());
      opts.log.info({ why, notAfter: serving.current.svid.notAfter.toISOString() }, 'control plane SVID renewed');
    } catch (err) {
      // The old SVID keeps serving until it expires; the next attempt is scheduled below.
      opts.log.error({ err, why }, 'control plane SVID renewal failed');
    }
    schedule();
  };
  const schedule = () => {
    clearTimeout(timer);
    const now = opts.now().getTime();
    const left = serving.current.svid.notAfter.getTime() - now;
    timer = setTimeout(() => void refresh('half-life'), Math.max(1000, Math.min(left / 2, 2 ** 31 - 1)));
    timer.unref();
  };
  schedule();
  ca.onChange(() => void refresh('ca-changed'));

  const admin: CaAdmin = {
    status: () => caStatus(ca, opts.store, opts.now().getTime()),
    async rotate(step, o) {
      await ca.rotate(step, o);
      opts.log.info({ step, sequence: ca.sequence() }, 'CA rotation step done');
      return caStatus(ca, opts.store, opts.now().getTime());
    },
  };
  return {
    caAddress: api.address, bundleUrl: bundle.url, ca, admin, serving,
    async close() {
      clearTimeout(timer);
      await Promise.all([api.close(), bundle.close()]);
      await recorder.flush();
    },
  };
}
