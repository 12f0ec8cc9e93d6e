/** The proxy's configuration stream client, its mTLS transport and its wire protocol. */
export { ConfigClient, DEFAULT_RECONNECT, type ConfigClientOptions, type ConfigClientStatus, type SnapshotVerdict } from './config-client.js';
export { parseLoopbackAddress, type StreamDialer } from './transport.js';
export { controlPlaneCheck, mtlsDialer, DIAL_TIMEOUT_MS, type StreamTlsSource } from './mtls-dialer.js';
export { ConfigClientError, CONFIG_CLIENT_ERROR_CODES, type ConfigClientErrorCode } from './errors.js';
export { encodeLine, readLines, MAX_LINE_BYTES, type ControlMessage, type HelloMessage, type ProxyMessage } from './protocol.js';
