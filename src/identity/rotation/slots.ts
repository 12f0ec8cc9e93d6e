// The CA rotation state machine (SPIRE's prepare → activate → taint/retire): pure values in,
// new values out; persisting the state is the control plane's job.
import { IdentityError, IdentityErrorCode } from '../errors.js';

/** One CA generation, named by an id the store chooses; `root` is the DER trust anchor it adds. */
export interface CaSlot<R = Buffer> {
  readonly id: string;
  readonly root: R;
}

/**
 * `current` signs. `next` is prepared: trusted (in the bundle) but not yet signing, so peers
 * learn it before any SVID depends on it. `previous` was current before the last activation:
 * still trusted until retired, because SVIDs it signed are still alive.
 */
export interface RotationState<R = Buffer> {
  readonly current: CaSlot<R>;
  readonly next?: CaSlot<R>;
  readonly previous?: CaSlot<R> & { readonly replacedAt: Date };
  /** Ids of retired slots, newest last (kept so an id is never reused). */
  readonly retired: readonly string[];
}

function refuse(reason: string, message: string): IdentityError {
  return new IdentityError(IdentityErrorCode.ROTATION_STATE, message, { reason });
}

/** The first state: one CA, nothing rotating. */
export function initialRotation<R>(current: CaSlot<R>): RotationState<R> {
  return { current, retired: [] };
}

/**
 * `ca rotate --prepare`: add a new CA to the bundle without signing with it yet.
 * @example state = prepareRotation(state, { id: 'ca-2', root: newRootDer });
 */
export function prepareRotation<R>(state: RotationState<R>, next: CaSlot<R>): RotationState<R> {
  if (state.next) throw refuse('already-prepared', `CA ${state.next.id} is already prepared; activate it first`);
  if (state.previous) throw refuse('previous-not-retired', `retire CA ${state.previous.id} before preparing another`);
  if ([state.current.id, ...state.retired].includes(next.id)) throw refuse('id-reused', `CA id ${next.id} was already used`);
  return { ...state, next };
}

/**
 * `ca rotate --activate`: the prepared CA starts signing; the old one stays trusted.
 * @example state = activateRotation(state, now());
 */
export function activateRotation<R>(state: RotationState<R>, now: Date): RotationState<R> {
  if (!state.next) throw refuse('nothing-prepared', 'no prepared CA to activate; run --prepare first');
  return { current: state.next, previous: { ...state.current, replacedAt: now }, retired: state.retired };
}

/**
 * `ca rotate --retire`: drop the old CA from the bundle. Refused while SVIDs it signed may
 * still be valid (`maxSvidTtlMs` after activation) unless `force` — retiring early cuts
 * those workloads off until they renew.
 * @example state = retireRotation(state, now(), { maxSvidTtlMs: 24 * 3600e3 });
 */
export function retireRotation<R>(state: RotationState<R>, now: Date, options: { maxSvidTtlMs: number; force?: boolean }): RotationState<R> {
  const prev = state.previous;
  if (!prev) throw refuse('nothing-to-retire', 'no previous CA to retire; run --activate first');
  const safeAt = prev.replacedAt.getTime() + options.maxSvidTtlMs;
  if (!options.force && now.getTime() < safeAt) {
    throw refuse('svids-still-valid', `SVIDs signed by CA ${prev.id} may be valid until ${new Date(safeAt).toISOString()}; retire after that or force`);
  }
  const { previous: _gone, ...rest } = state;
  return { ...rest, retired: [...state.retired, prev.id] };
}

/** The trust anchors the state implies, signing CA first: what the bundle must carry. */
export function trustedRoots<R>(state: RotationState<R>): R[] {
  return [state.current, state.next, state.previous].filter((s): s is CaSlot<R> => s !== undefined).map((s) => s.root);
}

/** The rotation phase, for status output. */
export function rotationPhase(state: RotationState<unknown>): 'steady' | 'prepared' | 'overlap' {
  return state.next ? 'prepared' : state.previous ? 'overlap' : 'steady';
}
