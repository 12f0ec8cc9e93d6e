// The SPIFFE Workload API served to one workload on its own Unix socket.
export { startWorkloadApiServer, type WorkloadApiServer, type WorkloadApiServerOptions } from './server.js';
export { createAppIdentity, type AppIdentityOptions } from './app-identity.js';
export { workloadProtoPath, SECURITY_HEADER, WORKLOAD_PROTO_RELATIVE_PATH } from './proto.js';
export { WORKLOAD_API_SERVICE, WORKLOAD_API_SERVICE_NAME } from './service-definition.js';
export { decodeMessage, encodeMessage, MAX_MESSAGE_DEPTH, type FieldSpec, type FieldType, type Message, type MessageSpec } from './message-codec.js';
export { prepareSocketPath, SOCKET_DIR_MODE, SOCKET_MODE } from './socket.js';
export { WorkloadApiError, type MessageRefusal, type WorkloadApiErrorCode } from './errors.js';
