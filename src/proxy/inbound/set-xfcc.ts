/**
 * `X-Forwarded-Client-Cert` for the app, in Envoy's format with Istio's
 * sidecar settings (`set_current_client_cert_details`: subject, URI, DNS):
 *
 * `By=<our SPIFFE ID>;Hash=<sha256 of the peer leaf, hex>;Subject="<peer subject>";URI=<peer SPIFFE ID>`
 *
 * Set only for mTLS peers; with APPEND_FORWARD an XFCC a peer proxy sent is
 * kept and ours appended after a comma.
 */
import type { TlsContextManager } from '../tls/context-manager.js';
import type { VerifiedPeer } from './connection-info.js';
import type { Layer } from './layer.js';
import { XFCC_HEADER } from './strip-identity-headers.js';

/**
 * One XFCC element.
 *
 * @example
 * xfccElement('spiffe://cluster.local/ns/a/sa/web', peer)
 * // 'By=spiffe://cluster.local/ns/a/sa/web;Hash=3f…;Subject="";URI=spiffe://cluster.local/ns/b/sa/sleep'
 */
export function xfccElement(localSpiffeId: string, peer: VerifiedPeer): string {
  // A subject with `"` or `\` is escaped as Envoy does inside a quoted value.
  const subject = peer.subject.replace(/["\\]/g, (c) => `\\${c}`);
  return `By=${localSpiffeId};Hash=${peer.certHash};Subject="${subject}";URI=${peer.spiffeId}`;
}

/**
 * @example
 * compose([…, setXfcc(tlsContexts), …], app)
 */
export function setXfcc(tlsContexts: Pick<TlsContextManager, 'identity'>): Layer {
  // The element depends only on the connection's peer and our own ID: build it once per connection.
  const built = new WeakMap<VerifiedPeer, { local: string; element: string }>();
  return (next) => (r) => {
    const peer = r.conn.peer;
    if (peer) {
      const local = tlsContexts.identity().spiffeId;
      let b = built.get(peer);
      if (b?.local !== local) built.set(peer, (b = { local, element: xfccElement(local, peer) }));
      const element = b.element;
      const prior = r.req.headers[XFCC_HEADER];
      r.req.headers[XFCC_HEADER] = typeof prior === 'string' && prior !== '' ? `${prior},${element}` : element;
    }
    return next(r);
  };
}
