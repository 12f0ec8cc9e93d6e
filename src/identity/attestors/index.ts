/**
 * The attestors meshguard has, listed once. The control plane builds them with
 * its token service and (on Kubernetes) the TokenReview client.
 */
import { AttestationError, type Attestor } from './attestor.js';
import { k8sPsatAttestor, type ReviewToken } from './k8s-psat.js';
import { tokenAttestor, type TokenRedeemer } from './token.js';

export { type Attestation, type Attestor, AttestationError, type AttestationErrorCode, type Evidence, invalidWorkloadName } from './attestor.js';
export { type RedeemedToken, type TokenKind, type TokenRedeemer, tokenAttestor } from './token.js';
export { k8sPsatAttestor, kubernetesTokenReviewer, PSAT_AUDIENCE, type ReviewToken, type TokenReview } from './k8s-psat.js';

export const ATTESTOR_TYPES = ['join', 'local', 'k8s-psat'] as const;
export type AttestorType = (typeof ATTESTOR_TYPES)[number];

export interface AttestorDeps {
  tokens: TokenRedeemer;
  /** Absent outside Kubernetes: `k8s-psat` evidence is then refused. */
  reviewToken?: ReviewToken;
}

/**
 * The built-in attestors by type.
 *
 * @example
 *   const attestors = builtinAttestors({ tokens: tokenService });
 *   await attestors.get('join')?.attest({ token });
 */
export function builtinAttestors(deps: AttestorDeps): Map<AttestorType, Attestor> {
  const all = new Map<AttestorType, Attestor>([
    ['join', tokenAttestor('join', deps.tokens)],
    ['local', tokenAttestor('local', deps.tokens)],
  ]);
  if (deps.reviewToken) all.set('k8s-psat', k8sPsatAttestor(deps.reviewToken));
  return all;
}

/** The attestor for `type`, or `MG_ATTEST_UNKNOWN_ATTESTOR`. */
export function attestorFor(attestors: Map<AttestorType, Attestor>, type: string): Attestor {
  const found = attestors.get(type as AttestorType);
  if (!found) {
    throw new AttestationError('MG_ATTEST_UNKNOWN_ATTESTOR', `attestor "${type}" is not enabled here (enabled: ${[...attestors.keys()].join(', ')})`);
  }
  return found;
}
