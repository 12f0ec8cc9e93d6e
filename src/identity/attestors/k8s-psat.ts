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

/** Where a pod finds its service-account credentials (Kubernetes' in-cluster config). */
export const IN_CLUSTER = {
  tokenPath: '/var/run/secrets/kubernetes.io/serviceaccount/token',
  caPath: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
} as const;
// A TokenReview is one small request; an API server slower than this is treated as unavailable (fail closed).
const REVIEW_TIMEOUT_MS = 5000;
const REVIEW_PATH = '/apis/authentication.k8s.io/v1/tokenreviews';

export interface TokenReviewerOptions {
  /** Default `$KUBERNETES_SERVICE_HOST`. */
  host?: string;
  /** Default `$KUBERNETES_SERVICE_PORT`, else 443. */
  port?: number;
  tokenPath?: string;
  caPath?: string;
  timeoutMs?: number;
}

/**
 * The real reviewer, on the in-cluster config: POSTs the TokenReview to the API
 * server with the control plane's own service-account token (re-read on each call:
 * projected tokens rotate), trusting only the cluster CA.
 *
 * Written with undici rather than `@kubernetes/client-node`: its 2.x (our dependency)
 * bundles an undici that needs zstd and does not load on Node 20 (1.4.0 does, but
 * one call does not need the whole client). Tested against a local HTTPS server
 * replaying recorded answers; not yet run against a live cluster.
 *
 * @example const psat = k8sPsatAttestor(await kubernetesTokenReviewer());
 */
export async function kubernetesTokenReviewer(options: TokenReviewerOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<ReviewToken> {
  const { readFile } = await import('node:fs/promises');
  const { Agent, request } = await import('undici');
  const host = options.host ?? env.KUBERNETES_SERVICE_HOST;
  if (!host) throw new AttestationError('MG_ATTEST_UNAVAILABLE', 'not running in Kubernetes: KUBERNETES_SERVICE_HOST is not set, so k8s-psat cannot review tokens');
  const port = options.port ?? Number(env.KUBERNETES_SERVICE_PORT ?? 443);
  const tokenPath = options.tokenPath ?? IN_CLUSTER.tokenPath;
  const timeout = options.timeoutMs ?? REVIEW_TIMEOUT_MS;
  const ca = await readFile(options.caPath ?? IN_CLUSTER.caPath, 'utf8');
  const dispatcher = new Agent({ connect: { ca, rejectUnauthorized: true }, headersTimeout: timeout, bodyTimeout: timeout });
  const origin = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return async (review) => {
    const bearer = (await readFile(tokenPath, 'utf8')).trim();
    const res = await request(`${origin}${REVIEW_PATH}`, {
      method: 'POST', dispatcher, signal: AbortSignal.timeout(timeout),
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(review),
    });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump();
      throw Object.assign(new Error(`TokenReview answered HTTP ${res.statusCode}`), { statusCode: res.statusCode });
    }
    return (await res.body.json()) as TokenReview;
  };
}
