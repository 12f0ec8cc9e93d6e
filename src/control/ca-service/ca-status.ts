/**
 * What `meshguard ca status` shows: every root and intermediate with its
 * window and rotation state, the rotation phase, the bundle sequence, how many
 * certificates were issued, and a warning 30 days before any of them expires.
 */
import { certificatesFromPem, rotationPhase } from '../../identity/index.js';
import type { Store } from '../store/store.js';
import { type CertificateInfo, describeCertificate } from './certificate-info.js';
import type { ManagedCa } from './managed-ca.js';

export type AuthorityState = 'current' | 'next' | 'previous' | 'retired';

export interface AuthorityRow extends CertificateInfo {
  kind: 'root' | 'intermediate';
  /** Generation id (`ca-2`) for self-managed roots; absent for plugged-in certificates. */
  id?: string;
  state: AuthorityState;
}

export interface CaStatus {
  trustDomain: string;
  mode: ManagedCa['mode'];
  phase: 'steady' | 'prepared' | 'overlap';
  bundleSequence: number;
  authorities: AuthorityRow[];
  certificatesIssued: number;
  warnings: string[];
}

// Counting is a read of the issued table; capped so a status call stays cheap on a huge store.
const MAX_COUNTED = 1_000_000;

/**
 * @example const status = await caStatus(ca, store, Date.now()); status.warnings // ['root ca-1 expires in 12 days …']
 */
export async function caStatus(ca: ManagedCa, store: Store, now: number): Promise<CaStatus> {
  const rows: AuthorityRow[] = [];
  const rotation = ca.rotation();
  if (rotation) {
    const { state } = rotation;
    rows.push({ kind: 'root', id: state.current.id, state: 'current', ...describeCertificate(state.current.root, now) });
    if (state.next) rows.push({ kind: 'root', id: state.next.id, state: 'next', ...describeCertificate(state.next.root, now) });
    if (state.previous) rows.push({ kind: 'root', id: state.previous.id, state: 'previous', ...describeCertificate(state.previous.root, now) });
    for (const r of rotation.retiredRoots) {
      const [der] = certificatesFromPem(r.certificatePem);
      const info = describeCertificate(der!, now);
      // A retired root is no longer trusted: its expiry needs no warning.
      delete info.warning;
      rows.push({ kind: 'root', id: r.id, state: 'retired', ...info });
    }
  } else {
    const issuer = ca.issuer().ca;
    for (const root of issuer.roots) rows.push({ kind: 'root', state: 'current', ...describeCertificate(root, now) });
    const signers = issuer.roots.some((r) => r.equals(issuer.certificate)) ? issuer.intermediates : [issuer.certificate, ...issuer.intermediates];
    for (const c of signers) rows.push({ kind: 'intermediate', state: 'current', ...describeCertificate(c, now) });
  }
  const issued = (await store.listIssuedCertificates({ limit: MAX_COUNTED })).length;
  return {
    trustDomain: ca.trustDomain,
    mode: ca.mode,
    phase: rotation ? rotationPhase(rotation.state) : 'steady',
    bundleSequence: ca.sequence(),
    authorities: rows,
    certificatesIssued: issued,
    warnings: rows.filter((r) => r.warning).map((r) => `${r.kind} ${r.id ?? subjectOf(r)}: ${r.warning}`),
  };
}

function subjectOf(r: AuthorityRow): string {
  return `"${r.subject}"`;
}

