/**
 * Authorization of one HTTP request, CUSTOM → DENY → ALLOW, with the compiled
 * engine and no explain trace (the hot path). A denial is Envoy's 403
 * `RBAC: access denied` with `rbac_access_denied_matched_policy[…]` in the log.
 * A CUSTOM match asks the policy's ext_authz provider (`call-ext-authz.ts`);
 * when it allows, DENY and ALLOW still decide, as in Envoy's filter chain.
 * A provider we cannot call (invalid settings) fails closed: 403 `UAEX`
 * `ext_authz_error`, logged once per provider and snapshot.
 */
import { authorize, RBAC_DENIED_BODY, rbacAccessLogFlag, type AuthzDecision } from '../../policy/authz/index.js';
import type { HeaderMap } from '../../policy/http/headers.js';
import type { ExtAuthzClient } from '../ext-authz/index.js';
import { callExtAuthz, EXT_AUTHZ_ERROR_DETAILS, EXT_AUTHZ_FLAG } from './call-ext-authz.js';
import type { InboundRequest, Layer } from './layer.js';
import type { ProxyLog } from './listener.js';
import { localReply } from './local-reply.js';

export { EXT_AUTHZ_ERROR_DETAILS } from './call-ext-authz.js';

function hostOf(r: InboundRequest): string {
  const h = r.req.headers;
  return (h[':authority'] as string | undefined) ?? h.host ?? '';
}

function decide(r: InboundRequest, customAllowed: boolean): AuthzDecision {
  return authorize(r.state.authz, {
    workload: r.state.workload,
    protocol: 'http',
    source: { principal: r.conn.peer?.principal, ip: r.conn.remoteIp },
    destination: { port: r.port.targetPort, ip: r.conn.localIp },
    sni: r.conn.sni,
    http: { method: r.req.method ?? 'GET', host: hostOf(r), path: r.checkedPath, headers: r.req.headers as HeaderMap },
    auth: r.auth,
  }, customAllowed ? { customAllowed } : undefined);
}

/** Everything but a plain allow or an ext_authz question. */
function refuse(r: InboundRequest, d: AuthzDecision): void {
  if (d.status === 400) return localReply(r, 400, 'Bad Request', 'path_normalization_failed');
  return localReply(r, 403, RBAC_DENIED_BODY, rbacAccessLogFlag(d.ruleName));
}

/**
 * @example
 * compose([…, authorizeRequest(createExtAuthzClient({ upstream, rr }), log), …], app)
 */
export function authorizeRequest(extAuthz?: ExtAuthzClient, log?: ProxyLog): Layer {
  const warned = new Set<string>();
  return (next) => (r) => {
    const d = decide(r, false);
    if (d.status === 200) return next(r);
    if (d.status !== 'ext-authz') return refuse(r, d);
    const name = d.provider ?? '';
    const lookup = r.state.extAuthzProviders.get(name);
    if (!lookup?.ok || !extAuthz) {
      const reason = lookup && !lookup.ok ? lookup.reason : `extension provider "${name}" cannot be called by this proxy`;
      const key = `${r.state.version}\0${name}`;
      if (!warned.has(key)) {
        if (warned.size >= 1024) warned.clear(); // one entry per provider and snapshot version: bounded all the same
        warned.add(key);
        log?.warn({ provider: name, policy: d.policy }, `CUSTOM authorization denies every request it selects: ${reason}`);
      }
      return localReply(r, 403, '', EXT_AUTHZ_ERROR_DETAILS, { flags: [EXT_AUTHZ_FLAG] });
    }
    return callExtAuthz(r, lookup.provider, extAuthz, log ?? SILENT).then((step) => {
      if (step === 'answered') return;
      // The client left while the provider was thinking: nothing to forward it to.
      if ((r.res as { destroyed?: boolean }).destroyed === true) return;
      const after = decide(r, true);
      return after.status === 200 ? next(r) : refuse(r, after);
    });
  };
}

const SILENT: ProxyLog = { warn: () => {}, debug: () => {} };
