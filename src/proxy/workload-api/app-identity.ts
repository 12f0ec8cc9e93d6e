/**
 * The app's own X.509-SVID: same SPIFFE ID as the proxy, its own key pair (as SPIRE's
 * agent gives each workload its own), so the proxy's key never leaves the proxy. It is
 * an identity client like the proxy's, whose "attestation" is the proxy's mTLS
 * credentials: the CA issues for exactly the ID those prove, nothing else.
 */
import type { CaApi } from '../identity/ca-api.js';
import { createIdentityClient, type IdentityClient, type IdentityClientOptions } from '../identity/identity-client.js';
import type { IdentitySource } from '../model.js';

export type AppIdentityOptions = Omit<IdentityClientOptions, 'ca' | 'attestation' | 'keyFile'>;

/**
 * Makes the app's identity client (memory only: its key goes to the app over the socket).
 * @example const app = createAppIdentity(ca, proxyIdentity, { log }); await app.start();
 */
export function createAppIdentity(ca: CaApi, proxy: IdentitySource, options: AppIdentityOptions): IdentityClient {
  const asProxy: CaApi = {
    // The first issue is a renewal call made with the proxy's certificate: the ID comes from it.
    sign: ({ csrDer }) => ca.renew({ csrDer, presented: proxy.current() }),
    renew: ({ csrDer }) => ca.renew({ csrDer, presented: proxy.current() }),
    fetchBundle: () => ca.fetchBundle(),
    mintJwtSvid: (r) => ca.mintJwtSvid(r),
  };
  // Never sent: sign above ignores it. Typed as the client expects.
  const attestation = { type: 'proxy-mtls', evidence: { token: '' } };
  return createIdentityClient({ ...options, ca: asProxy, attestation });
}
