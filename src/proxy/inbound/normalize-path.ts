/**
 * The path, normalized as Envoy does before any filter looks at it
 * (`meshConfig.pathNormalization`): authorization checks the normalized path
 * and the app receives exactly that path, so `/public/../admin` cannot pass as
 * `/public/…` and then reach `/admin`. A path Envoy refuses (`%00`, control
 * characters, no leading `/`) is a 400.
 */
import { normalizePath } from '../../policy/http/normalize-path.js';
import type { Layer } from './layer.js';
import { localReply } from './local-reply.js';

/** Envoy's response-code details for a path its normalizer refused. */
export const PATH_REFUSED_DETAILS = 'path_normalization_failed';

/**
 * @example
 * compose([normalizeRequestPath(), …], app)
 */
export function normalizeRequestPath(): Layer {
  return (next) => (r) => {
    const n = normalizePath(r.rawPath, r.state.pathNormalization);
    if (!n.ok) return localReply(r, 400, 'Bad Request', PATH_REFUSED_DETAILS);
    const q = r.rawPath.indexOf('?');
    r.checkedPath = n.path;
    r.upstreamPath = q >= 0 ? n.path + r.rawPath.slice(q) : n.path;
    return next(r);
  };
}
