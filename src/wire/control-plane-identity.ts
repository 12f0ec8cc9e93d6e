/**
 * Who the control plane is on the wire: Istio's istiod identity, which the
 * control plane's own SVID carries (`control/ca-service/control-plane-svid.ts`
 * mints it; a test pins the two together). It lives here, not there, because
 * the proxy checks it on every dial and must not load the CA to learn a name.
 */

export const CONTROL_PLANE_NAMESPACE = 'istio-system';
export const CONTROL_PLANE_SERVICE_ACCOUNT = 'meshguard';

/** @example controlPlaneSpiffeId('cluster.local') // 'spiffe://cluster.local/ns/istio-system/sa/meshguard' */
export function controlPlaneSpiffeId(trustDomain: string): string {
  return `spiffe://${trustDomain}/ns/${CONTROL_PLANE_NAMESPACE}/sa/${CONTROL_PLANE_SERVICE_ACCOUNT}`;
}
