/**
 * Authorization of one HTTP request, CUSTOM → DENY → ALLOW, with the compiled
 * engine and no explain trace (the hot path). A denial is Envoy's 403
 * `RBAC: access denied` with `rbac_access_denied_matched_policy[…]` in the log.
 * A CUSTOM match needs an ext_authz provider, which this proxy does not call
 * yet: it fails closed, 403 with flag `UAEX` as Envoy does when the
 * authorization service errors and `failOpen` is off.
 */
import { authorize, RBAC_DENIED_BODY, rbacAccessLogFlag } from '../../policy/authz/index.js';
import type { HeaderMap } from '../../policy/http/headers.js';
import type { InboundRequest, Layer } from './layer.js';
import { localReply } from './local-reply.js';

/** Envoy's details when the ext_authz call failed and the request was refused. */
export const EXT_AUTHZ_ERROR_DETAILS = 'ext_authz_error';

function hostOf(r: InboundRequest): string {
  const h = r.req.headers;
  return (h[':authority'] as string | undefined) ?? h.host ?? '';
}

/**
 * @example
 * compose([…, authorizeRequest(), …], app)
 */
export function authorizeRequest(): Layer {
  return (next) => (r) => {
    const d = authorize(r.state.authz, {
      workload: r.state.workload,
      protocol: 'http',
      source: { principal: r.conn.peer?.principal, ip: r.conn.remoteIp },
      destination: { port: r.port.targetPort, ip: r.conn.localIp },
      sni: r.conn.sni,
      http: { method: r.req.method ?? 'GET', host: hostOf(r), path: r.checkedPath, headers: r.req.headers as HeaderMap },
      auth: r.auth,
    });
    if (d.status === 200) return next(r);
    if (d.status === 'ext-authz') return localReply(r, 403, '', EXT_AUTHZ_ERROR_DETAILS, { flags: ['UAEX'] });
    if (d.status === 400) return localReply(r, 400, 'Bad Request', 'path_normalization_failed');
    return localReply(r, 403, RBAC_DENIED_BODY, rbacAccessLogFlag(d.ruleName));
  };
}
