/**
 * The configuration stream's wire protocol, the proxy's side. The messages, the
 * line codec and their limits are defined once in `src/wire/` (shared with the
 * control plane); these are the names the proxy's modules use.
 */
export {
  MAX_LINE_BYTES, encodeLine, splitLines as readLines, type ControlMessage, type HelloMessage, type ProxyMessage,
} from '../../wire/index.js';
