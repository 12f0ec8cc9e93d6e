/**
 * `wire/`: what the control plane and the proxies say to each other, below both
 * layers so each imports the one definition (imports `config/` only).
 */
export {
  MAX_LINE_BYTES, encodeLine, proxyMessage,
  type ControlMessage, type DistributedSnapshot, type HelloMessage, type ProxyMessage, type SnapshotEndpoint,
} from './config-stream.js';
export { splitLines } from './line-codec.js';
export { parseLoopbackAddress } from './loopback-address.js';
