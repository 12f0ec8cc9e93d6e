/**
 * The configuration stream as the control plane speaks it. The protocol itself
 * (messages, line codec, loopback check) is `src/wire/`, shared with the proxy;
 * these are the names the control plane's modules use.
 */
export {
  MAX_LINE_BYTES, encodeLine, parseProxyMessage, splitLines as lineSplitter, parseLoopbackAddress as loopbackListenAddress,
  type ControlMessage, type DistributedSnapshot, type HelloMessage, type ProxyMessage, type SnapshotEndpoint,
} from '../../wire/index.js';
