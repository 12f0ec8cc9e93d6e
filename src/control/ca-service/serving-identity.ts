/**
 * The certificate and trusted roots the control plane serves with, held in one
 * place and pushed to whoever serves TLS (the gRPC CA API through grpc-js's
 * certificate-provider interface, the bundle endpoint through `setSecureContext`),
 * so a renewal or a root rotation changes them without a restart or a dropped connection.
 */
import type { experimental } from '@grpc/grpc-js';
import type { ServerSvid } from './control-plane-svid.js';

type CertificateProvider = experimental.CertificateProvider;
type CaListener = Parameters<CertificateProvider['addCaCertificateListener']>[0];
type IdentityListener = Parameters<CertificateProvider['addIdentityCertificateListener']>[0];

export interface ServingMaterial {
  svid: ServerSvid;
  /** PEM of every trusted root: client certificates must chain to one. */
  rootsPem: string;
}

/**
 * @example
 *   const serving = new ServingIdentity({ svid, rootsPem });
 *   serving.onUpdate((m) => httpsServer.setSecureContext({ cert: m.svid.chainPem, key: m.svid.keyPem }));
 */
export class ServingIdentity implements CertificateProvider {
  private caListeners = new Set<CaListener>();
  private identityListeners = new Set<IdentityListener>();
  private updateListeners: ((m: ServingMaterial) => void)[] = [];

  constructor(private material: ServingMaterial) {}

  get current(): ServingMaterial {
    return this.material;
  }

  update(material: ServingMaterial): void {
    this.material = material;
    for (const l of this.caListeners) l({ caCertificate: Buffer.from(material.rootsPem) });
    for (const l of this.identityListeners) l(this.identityUpdate());
    for (const l of this.updateListeners) l(material);
  }

  onUpdate(listener: (m: ServingMaterial) => void): void {
    this.updateListeners.push(listener);
  }

  // The first update is delivered on the next tick: grpc-js registers its watcher only after
  // adding the listener, so a synchronous call would be lost and the server would drop every connection.
  addCaCertificateListener(listener: CaListener): void {
    this.caListeners.add(listener);
    queueMicrotask(() => { if (this.caListeners.has(listener)) listener({ caCertificate: Buffer.from(this.material.rootsPem) }); });
  }
  removeCaCertificateListener(listener: CaListener): void {
    this.caListeners.delete(listener);
  }
  addIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.add(listener);
    queueMicrotask(() => { if (this.identityListeners.has(listener)) listener(this.identityUpdate()); });
  }
  removeIdentityCertificateListener(listener: IdentityListener): void {
    this.identityListeners.delete(listener);
  }

  private identityUpdate() {
    return { certificate: Buffer.from(this.material.svid.chainPem), privateKey: Buffer.from(this.material.svid.keyPem) };
  }
}
