/** The HTTP/1.1 fast path's codec and client: strict heads, body framing, pooled exchanges. */
export { parseRequestHead, parseResponseHead, MAX_HEAD_BYTES, type RequestHead, type ResponseHead, type HeadResult, type HeaderPairs } from './parse-head.js';
export { BodyFramer, responseFraming, type Framing } from './body-framer.js';
export { serializeRequestHead, serializeParsedRequestHead, serializeResponseHead, serializeParsedResponseHead, checkHeaderPairs, headerLines, type HeaderValue } from './serialize-head.js';
export { createSocketPool, type SocketPool, type SocketPoolOptions } from './socket-pool.js';
export { runExchange, type Exchange, type OutgoingRequest, type ResponseHandlers } from './exchange.js';
export { sendRequest, type Connect, type SentRequest } from './send-request.js';
export { Http1Error, HTTP1_ERROR_CODES, type Http1ErrorCode } from './errors.js';
export { FastRequest, FastResponse, type ResponseDone } from './server-objects.js';
export { serveFastHttp1, type FastConnectionDeps } from './serve-connection.js';
export { relayResponse, type RelayHooks } from './relay-response.js';
