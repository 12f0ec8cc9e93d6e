/**
 * Kubernetes projected service-account token attestor. The token is never
 * parsed here: the API server judges it through the TokenReview API
 * (`authentication.k8s.io/v1`), asked for audience `meshguard`; namespace and
 * service account come from the review's answer, not from the token.
 *
 * Written against the documented API shapes and tested with recorded responses
 * (`test/fixtures/k8s/`); not yet run against a live cluster.
 */
import { type Attestation, type Attestor, AttestationError, checkClaimedIdentity, type Evidence, invalidWorkloadName } from './attestor.js';

/** The audience projected tokens must be minted for (`serviceAccountToken.audience` in the pod spec). */
export const PSAT_AUDIENCE = 'meshguard';

/** The TokenReview object as sent and returned (the fields we use). */
export interface TokenReview {
  apiVersion: 'authentication.k8s.io/v1';
  kind: 'TokenReview';
  spec: { token: string; audiences?: string[] };
  status?: {
    authenticated?: boolean;
    error?: string;
    audiences?: string[];
    user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  };
}

/** Sends a TokenReview to the API server and resolves its answer (injected so tests replay recorded responses). */
export type ReviewToken = (review: TokenReview) => Promise<TokenReview>;

const SA_PREFIX = 'system:serviceaccount:';
const POD_NAME = 'authentication.kubernetes.io/pod-name';
const POD_UID = 'authentication.kubernetes.io/pod-uid';

/**
 * @example
 *   const psat = k8sPsatAttestor(await kubernetesTokenReviewer());
 *   const { namespace, serviceAccount } = await psat.attest({ token: projectedToken });
 */
export function k8sPsatAttestor(reviewToken: ReviewToken, audience: string = PSAT_AUDIENCE): Attestor {
  return {
    type: 'k8s-psat',
    async attest(evidence: Evidence): Promise<Attestation> {
      if (typeof evidence?.token !== 'string' || evidence.token.length === 0) {
        throw new AttestationError('MG_ATTEST_MALFORMED', 'k8s-psat attestation needs a projected service-account token');
      }
      let answer: TokenReview;
      try {
        answer = await reviewToken({
          apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: evidence.token, audiences: [audience] },
        });
      } catch (err) {
        // Fail closed: no answer from the API server means no identity.
        throw new AttestationError('MG_ATTEST_UNAVAILABLE',
          `the Kubernetes TokenReview API failed (${describeApiError(err)}); check the control plane's RBAC (system:auth-delegator) and API server reachability`, { cause: err });
      }
      return fromReview(answer, audience, evidence);
    },
  };
}

function fromReview(review: TokenReview, audience: string, evidence: Evidence): Attestation {
  const status = review.status ?? {};
  if (status.authenticated !== true) {
    throw new AttestationError('MG_ATTEST_UNAUTHENTICATED', `Kubernetes did not authenticate the token${status.error ? `: ${status.error}` : ''}`);
  }
  // An empty status.audiences means the API server's own audience (docs: TokenReviewStatus): not ours.
  if (!(status.audiences ?? []).includes(audience)) {
    throw new AttestationError('MG_ATTEST_WRONG_AUDIENCE',
      `the token is not bound to audience "${audience}"; project it with serviceAccountToken.audience: ${audience}`);
  }
  const username = status.user?.username ?? '';
  const parts = username.startsWith(SA_PREFIX) ? username.slice(SA_PREFIX.length).split(':') : [];
  const [namespace, serviceAccount] = parts;
  if (parts.length !== 2 || namespace === undefined || serviceAccount === undefined) {
    throw new AttestationError('MG_ATTEST_NOT_SERVICE_ACCOUNT', `the token belongs to "${username}", not to a service account`);
  }
  const bad = invalidWorkloadName(namespace, serviceAccount);
  if (bad) throw new AttestationError('MG_ATTEST_NOT_SERVICE_ACCOUNT', bad);
  checkClaimedIdentity(evidence, { namespace, serviceAccount });
  const selectors = [`k8s:ns:${namespace}`, `k8s:sa:${serviceAccount}`];
  const podName = status.user?.extra?.[POD_NAME]?.[0];
  const podUid = status.user?.extra?.[POD_UID]?.[0];
  if (podName) selectors.push(`k8s:pod-name:${podName}`);
  if (podUid) selectors.push(`k8s:pod-uid:${podUid}`);
  return { namespace, serviceAccount, selectors };
}

function describeApiError(err: unknown): string {
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown };
  const status = e?.code ?? e?.statusCode;
  return typeof status === 'number' ? `HTTP ${status}` : typeof e?.message === 'string' ? e.message : 'unknown error';
}

/**
 * The real reviewer: `@kubernetes/client-node` with the in-cluster or kubeconfig
 * credentials (loaded lazily so that other commands do not pay for the client).
 */
export async function kubernetesTokenReviewer(): Promise<ReviewToken> {
  let k8s: typeof import('@kubernetes/client-node');
  try {
    k8s = await import('@kubernetes/client-node');
  } catch (err) {
    // Its bundled undici needs zlib zstd (Node >= 22.15): on Node 20 the client does not load at all.
    throw new AttestationError('MG_ATTEST_UNAVAILABLE', `the Kubernetes client cannot load on Node ${process.versions.node} (${(err as Error).message}); run the control plane on Node 22 or later for k8s-psat`, { cause: err });
  }
  const config = new k8s.KubeConfig();
  config.loadFromDefault();
  const api = config.makeApiClient(k8s.AuthenticationV1Api);
  return async (review) => (await api.createTokenReview({ body: review })) as unknown as TokenReview;
}
