/**
 * `wire/`: what the control plane and the proxies say to each other, below both
 * layers so each imports the one definition (imports `config/` types only).
 */
export {
  MAX_LINE_BYTES, encodeLine,
  type AckMessage, type ControlMessage, type DistributedSnapshot, type HelloMessage, type NackMessage, type ProxyMessage, type SnapshotEndpoint,
} from './config-stream.js';
export {
  parseProxyMessage, MAX_ERROR_LENGTH, MAX_LABEL_KEY_LENGTH, MAX_LABEL_VALUE_LENGTH, MAX_NAME_LENGTH, MAX_VERSION_LENGTH,
  type ParsedProxyMessage,
} from './proxy-message.js';
export { controlPlaneSpiffeId, CONTROL_PLANE_NAMESPACE, CONTROL_PLANE_SERVICE_ACCOUNT } from './control-plane-identity.js';
export { splitLines } from './line-codec.js';
export { parseLoopbackAddress } from './loopback-address.js';
