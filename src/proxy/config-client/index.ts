/** The proxy's configuration stream client and its wire protocol. */
export { ConfigClient, DEFAULT_RECONNECT, type ConfigClientOptions, type ConfigClientStatus, type SnapshotVerdict } from './config-client.js';
export { devTcpDialer, parseLoopbackAddress, type StreamDialer } from './transport.js';
export { encodeLine, readLines, MAX_LINE_BYTES, type ControlMessage, type HelloMessage, type ProxyMessage } from './protocol.js';
