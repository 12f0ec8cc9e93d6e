/** HTTP helpers every proxy side shares. */
export { forwardableHeaders } from './hop-by-hop.js';
