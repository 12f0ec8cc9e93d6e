import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTROL_PLANE_NAMESPACE, CONTROL_PLANE_SERVICE_ACCOUNT } from '../../src/control/ca-service/control-plane-svid.js';
import { controlPlaneSpiffeId } from '../../src/wire/index.js';

describe('controlPlaneSpiffeId', () => {
  it('names the identity the CA service mints for the control plane (istiod: istio-system/meshguard)', () => {
    assert.equal(controlPlaneSpiffeId('cluster.local'), `spiffe://cluster.local/ns/${CONTROL_PLANE_NAMESPACE}/sa/${CONTROL_PLANE_SERVICE_ACCOUNT}`);
    assert.equal(controlPlaneSpiffeId('example.org'), 'spiffe://example.org/ns/istio-system/sa/meshguard');
  });
});
