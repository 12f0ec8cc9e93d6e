/**
 * Persisting the CA rotation state in the store: the whole state as one JSON
 * value in CA metadata (so a step is one write), mirrored into the store's
 * `current`/`next` slots for tools that read those. Certificates travel as PEM.
 */
import { certificatesFromPem, toPem, type DerCertificate, type RotationState } from '../../identity/index.js';
import type { Store } from '../store/store.js';

const ROTATION_KEY = 'ca.rotation';

/** A generation as stored: its id (names the key file) and certificate. */
export interface StoredRotation {
  state: RotationState<DerCertificate>;
  /** Bumped on every change of the trusted roots (the bundle's `spiffe_sequence`). */
  sequence: number;
  /** Retired roots, kept for `ca status`. */
  retiredRoots: { id: string; certificatePem: string; retiredAt: string }[];
}

interface Json {
  current: { id: string; pem: string };
  next?: { id: string; pem: string };
  previous?: { id: string; pem: string; replacedAt: string };
  retired: string[];
  sequence: number;
  retiredRoots: StoredRotation['retiredRoots'];
}

const der = (pem: string): DerCertificate => {
  const [c] = certificatesFromPem(pem);
  if (!c) throw new TypeError('stored CA rotation state holds an empty certificate');
  return c;
};
const slot = (s: { id: string; root: DerCertificate }) => ({ id: s.id, pem: toPem([s.root]) });

/** The stored rotation, or `undefined` on a fresh store. */
export async function readRotation(store: Store): Promise<StoredRotation | undefined> {
  const text = await store.getCaMetadata(ROTATION_KEY);
  if (text === undefined) return undefined;
  const j = JSON.parse(text) as Json;
  const state: RotationState<DerCertificate> = {
    current: { id: j.current.id, root: der(j.current.pem) },
    ...(j.next ? { next: { id: j.next.id, root: der(j.next.pem) } } : {}),
    ...(j.previous ? { previous: { id: j.previous.id, root: der(j.previous.pem), replacedAt: new Date(j.previous.replacedAt) } } : {}),
    retired: j.retired,
  };
  return { state, sequence: j.sequence, retiredRoots: j.retiredRoots };
}

/** Writes the rotation (one metadata value) and mirrors the slots. */
export async function writeRotation(store: Store, r: StoredRotation, now: number, window: (d: DerCertificate) => { notBefore: number; notAfter: number }): Promise<void> {
  const { state } = r;
  const j: Json = {
    current: slot(state.current),
    ...(state.next ? { next: slot(state.next) } : {}),
    ...(state.previous ? { previous: { ...slot(state.previous), replacedAt: state.previous.replacedAt.toISOString() } } : {}),
    retired: [...state.retired],
    sequence: r.sequence,
    retiredRoots: r.retiredRoots,
  };
  await store.setCaMetadata(ROTATION_KEY, JSON.stringify(j));
  for (const [name, s] of [['current', state.current], ['next', state.next]] as const) {
    if (!s) continue;
    await store.putCaSlot({ slot: name, keyId: s.id, certificatePem: toPem([s.root]), ...window(s.root), updatedAt: now });
  }
}
