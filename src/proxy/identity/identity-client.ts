/**
 * The workload's identity client: gets an X.509-SVID from the CA, keeps its key in
 * memory (and a 0600 file when asked), renews at about half the lifetime with jitter,
 * retries with backoff while the current SVID still works, follows bundle changes,
 * and tells listeners after each change so TLS servers swap contexts
 * (`setSecureContext`) without dropping open connections.
 */
import { X509Certificate } from 'node:crypto';
import { renewAt, RENEW_AT_FRACTION } from '../../identity/rotation/renewal.js';
import type { IdentitySource, ProxyIdentity } from '../model.js';
import type { AttestationToken, CaApi, CaBundle, SignedSvid } from './ca-api.js';
import { IDENTITY_CLIENT_ERROR_CODES, IdentityClientError } from './errors.js';
import { writeKeyFileAtomic } from './key-file.js';
import { DEFAULT_BACKOFF_INITIAL_MS, DEFAULT_BACKOFF_MAX_MS, retryDelay, type BackoffSettings } from './retry-backoff.js';
import { generateWorkloadKey, type WorkloadKey } from './workload-key.js';

/** The bundle is re-read this often besides each renewal, so a root rotation reaches us within minutes. */
export const DEFAULT_BUNDLE_REFRESH_MS = 5 * 60 * 1000;
// setTimeout's largest delay; longer waits are taken in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** pino's shape, so the proxy passes its logger; fields first, message second. */
export interface IdentityLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface IdentityClientOptions {
  ca: CaApi;
  attestation: AttestationToken;
  /** Where the current key is kept (0600, replaced atomically); memory only when absent. */
  keyFile?: string;
  clock?: () => Date;
  log: IdentityLog;
  /** Renew at this fraction of the lifetime (default 0.5), ± jitter. */
  renewFraction?: number;
  random?: () => number;
  backoff?: BackoffSettings;
  bundleRefreshMs?: number;
}

export type IdentityState = 'starting' | 'ready' | 'retrying' | 'expired' | 'closed';

export interface IdentityStatus {
  state: IdentityState;
  spiffeId: string | undefined;
  /** Upper-case hex, as OpenSSL prints it. */
  serial: string | undefined;
  notBefore: Date | undefined;
  notAfter: Date | undefined;
  nextRenewalAt: Date | undefined;
  renewals: number;
  failures: number;
  consecutiveFailures: number;
  lastError: { code: string; message: string } | undefined;
  bundleSequence: number | undefined;
}

export interface IdentityClient extends IdentitySource {
  /** Gets the first SVID (retrying while the CA is unavailable); rejects on a refusal. */
  start(): Promise<ProxyIdentity>;
  /** The bundle as the CA last served it (federated roots and JWT keys included). */
  bundle(): CaBundle;
  status(): IdentityStatus;
  close(): void;
}

interface Held {
  identity: ProxyIdentity;
  key: WorkloadKey;
  notBefore: Date;
  /** When this SVID arrived: the renewal is planned from here when the backdated notBefore would put it in the past. */
  receivedAt: Date;
  serial: string;
}

/**
 * Makes the client; nothing happens until `start()`.
 * @example
 * const identity = createIdentityClient({ ca, attestation: { type: 'join', evidence: { token } }, keyFile, log });
 * await identity.start();
 * const tlsCtx = createTlsContextManager(identity); // follows every renewal
 */
export function createIdentityClient(options: IdentityClientOptions): IdentityClient {
  const clock = options.clock ?? (() => new Date());
  const random = options.random ?? Math.random;
  const backoff = options.backoff ?? { initialMs: DEFAULT_BACKOFF_INITIAL_MS, maxMs: DEFAULT_BACKOFF_MAX_MS };
  const fraction = options.renewFraction ?? RENEW_AT_FRACTION;
  if (!(fraction > 0 && fraction < 1)) throw new TypeError('renewFraction must be between 0 and 1');
  const { log } = options;
  const listeners = new Set<(identity: ProxyIdentity) => void>();
  let held: Held | undefined;
  let bundle: CaBundle | undefined;
  let state: IdentityState = 'starting';
  let renewTimer: NodeJS.Timeout | undefined;
  let bundleTimer: NodeJS.Timeout | undefined;
  let nextRenewalAt: Date | undefined;
  let renewals = 0;
  let failures = 0;
  let consecutive = 0;
  let lastError: IdentityStatus['lastError'];
  // A function, not a comparison: TypeScript narrows `state` across awaits where it can change.
  const closed = (): boolean => state === 'closed';
  // Resolves start()'s wait between first tries early when the client is closed.
  let wakeStart: (() => void) | undefined;

  function later(ms: number, run: () => void): NodeJS.Timeout {
    const t = setTimeout(run, Math.min(Math.max(ms, 0), MAX_TIMER_MS));
    // The identity never keeps the process alive on its own.
    t.unref();
    return t;
  }

  function notify(identity: ProxyIdentity): void {
    for (const l of [...listeners]) {
      try {
        l(identity);
      } catch (err) {
        // One bad listener must not stop the others from getting the new certificate.
        log.error({ code: (err as { code?: string }).code ?? 'listener' }, 'identity listener failed');
      }
    }
  }

  async function request(key: WorkloadKey): Promise<SignedSvid> {
    const now = clock().getTime();
    // mTLS renewal needs a certificate that still works; once it has expired, attest again.
    if (held && now < held.identity.notAfter.getTime()) {
      return options.ca.renew({ csrDer: key.csrDer, presented: { certChainPem: held.identity.certChainPem, keyPem: held.key.keyPem } });
    }
    return options.ca.sign({ csrDer: key.csrDer, attestation: options.attestation });
  }

  async function obtain(): Promise<void> {
    const key = await generateWorkloadKey();
    const signed = await request(key);
    const next = accept(signed, key, clock(), held?.identity.spiffeId);
    if (options.keyFile) writeKeyFileAtomic(options.keyFile, key.keyPem);
    if (closed()) return;
    held = next;
    bundle = signed.bundle;
    renewals += 1;
    consecutive = 0;
    state = 'ready';
    log.info({ spiffeId: next.identity.spiffeId, serial: next.serial, notAfter: next.identity.notAfter.toISOString() }, 'X.509-SVID installed');
    scheduleRenewal();
    notify(next.identity);
  }

  function scheduleRenewal(): void {
    if (!held || state === 'closed') return;
    const { notAfter } = held.identity;
    // renewAt works at half the lifetime; scaling the window moves that to `fraction`, jitter included.
    const plan = (from: Date) => renewAt(from, new Date(from.getTime() + ((notAfter.getTime() - from.getTime()) * fraction) / RENEW_AT_FRACTION), random);
    nextRenewalAt = plan(held.notBefore);
    // The CA backdates notBefore (a minute, for clock skew): for an SVID of seconds that puts the
    // renewal point before its arrival, and renewing at once would loop. Count from arrival then.
    if (nextRenewalAt.getTime() <= held.receivedAt.getTime()) nextRenewalAt = plan(held.receivedAt);
    clearTimeout(renewTimer);
    renewTimer = later(nextRenewalAt.getTime() - clock().getTime(), () => void attempt());
  }

  function onFailure(err: unknown): void {
    failures += 1;
    const code = (err as { code?: string }).code ?? 'MG_IDENTITY_UNKNOWN';
    lastError = { code, message: err instanceof Error ? err.message : String(err) };
    const remaining = held ? held.identity.notAfter.getTime() - clock().getTime() : Infinity;
    const delay = retryDelay(consecutive, backoff, random, remaining);
    consecutive += 1;
    if (held && remaining <= 0 && state !== 'expired') {
      state = 'expired';
      log.error({ code, spiffeId: held.identity.spiffeId, notAfter: held.identity.notAfter.toISOString() }, 'X.509-SVID expired before it could be renewed');
    } else if (state !== 'expired') {
      state = held ? 'retrying' : 'starting';
    }
    log.warn({ code, attempt: consecutive, retryInMs: delay, validForMs: Number.isFinite(remaining) ? remaining : null }, 'SVID request failed; retrying');
    nextRenewalAt = new Date(clock().getTime() + delay);
    clearTimeout(renewTimer);
    renewTimer = later(delay, () => void attempt());
  }

  async function attempt(): Promise<void> {
    if (state === 'closed') return;
    try {
      await obtain();
    } catch (err) {
      if (closed()) return;
      onFailure(err);
    }
  }

  async function refreshBundle(): Promise<void> {
    try {
      const next = await options.ca.fetchBundle();
      if (closed() || !held || !bundleChanged(bundle, next)) return;
      bundle = next;
      held = { ...held, identity: { ...held.identity, bundlePem: bundlePemOf(next) } };
      log.info({ sequence: next.sequence }, 'trust bundle changed');
      notify(held.identity);
    } catch (err) {
      // The old bundle keeps working; the next renewal or refresh tries again.
      log.warn({ code: (err as { code?: string }).code ?? 'MG_IDENTITY_UNKNOWN' }, 'trust bundle refresh failed');
    }
  }

  function scheduleBundleRefresh(): void {
    bundleTimer = later(options.bundleRefreshMs ?? DEFAULT_BUNDLE_REFRESH_MS, () => {
      void refreshBundle().finally(() => !closed() && scheduleBundleRefresh());
    });
  }

  return {
    async start() {
      if (held) return held.identity;
      for (;;) {
        try {
          await obtain();
          break;
        } catch (err) {
          // A refusal (bad token, wrong ID) will not change by asking again: fail start.
          if (!(err instanceof IdentityClientError && err.retryable) || closed()) throw err;
          onFailure(err);
          clearTimeout(renewTimer);
          await new Promise<void>((resolve) => {
            wakeStart = resolve;
            // Referenced, unlike the renewal timers: someone is awaiting start().
            setTimeout(resolve, Math.max(nextRenewalAt!.getTime() - clock().getTime(), 0));
          });
          if (closed()) throw new IdentityClientError(IDENTITY_CLIENT_ERROR_CODES.NOT_READY, 'closed before the first X.509-SVID arrived', { reason: 'closed' });
        }
      }
      scheduleBundleRefresh();
      return held!.identity;
    },
    current() {
      if (!held) throw new IdentityClientError(IDENTITY_CLIENT_ERROR_CODES.NOT_READY, 'no X.509-SVID yet: await start() first', { reason: 'not-started' });
      return held.identity;
    },
    bundle() {
      if (!bundle) throw new IdentityClientError(IDENTITY_CLIENT_ERROR_CODES.NOT_READY, 'no trust bundle yet: await start() first', { reason: 'not-started' });
      return bundle;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    status: () => ({
      state, spiffeId: held?.identity.spiffeId, serial: held?.serial, notBefore: held?.notBefore, notAfter: held?.identity.notAfter,
      nextRenewalAt, renewals, failures, consecutiveFailures: consecutive, lastError, bundleSequence: bundle?.sequence,
    }),
    close() {
      state = 'closed';
      clearTimeout(renewTimer);
      clearTimeout(bundleTimer);
      listeners.clear();
      wakeStart?.();
    },
  };
}

/** Own roots then federated roots: everything a peer certificate may chain to. */
export function bundlePemOf(b: CaBundle): string {
  return [b.x509RootsPem, ...Object.keys(b.federatedRootsPem).sort().map((td) => b.federatedRootsPem[td]!)].join('');
}

function bundleChanged(a: CaBundle | undefined, b: CaBundle): boolean {
  return !a || a.sequence !== b.sequence || bundlePemOf(a) !== bundlePemOf(b) || JSON.stringify(a.jwtKeys) !== JSON.stringify(b.jwtKeys);
}

function mismatch(reason: string, message: string): IdentityClientError {
  return new IdentityClientError(IDENTITY_CLIENT_ERROR_CODES.SVID_MISMATCH, message, { reason });
}

/**
 * Checks what the CA returned before using it: the leaf carries our new key, names the
 * ID the CA says (and the same ID as before), and is valid now.
 */
function accept(signed: SignedSvid, key: WorkloadKey, now: Date, previousId: string | undefined): Held {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(signed.certChainPem);
  } catch {
    throw mismatch('unparsable', 'the CA returned no readable certificate');
  }
  if (!leaf.publicKey.export({ format: 'der', type: 'spki' }).equals(key.spkiDer)) throw mismatch('key', 'the CA returned a certificate for another key');
  if (leaf.subjectAltName !== `URI:${signed.spiffeId}`) throw mismatch('spiffe-id', 'the certificate does not name the SPIFFE ID the CA returned');
  if (previousId !== undefined && previousId !== signed.spiffeId) throw mismatch('identity-changed', `the CA renewed ${previousId} as ${signed.spiffeId}`);
  const notBefore = new Date(leaf.validFrom);
  const notAfter = new Date(leaf.validTo);
  if (now.getTime() >= notAfter.getTime()) throw mismatch('expired', 'the CA returned an expired certificate');
  return {
    key,
    notBefore,
    receivedAt: now,
    serial: leaf.serialNumber.toUpperCase(),
    identity: { spiffeId: signed.spiffeId, certChainPem: signed.certChainPem, keyPem: key.keyPem, bundlePem: bundlePemOf(signed.bundle), notAfter },
  };
}
