/** HTTP helpers every proxy side shares. */
export { forwardableHeaders, forwardablePairs } from './hop-by-hop.js';
export { requestId } from './request-id.js';
