// The SPIFFE Workload API served to one workload on its own Unix socket.
export { startWorkloadApiServer, type WorkloadApiServer, type WorkloadApiServerOptions } from './server.js';
export { createAppIdentity, type AppIdentityOptions } from './app-identity.js';
export { loadWorkloadApi, workloadProtoPath, SECURITY_HEADER, WORKLOAD_PROTO_RELATIVE_PATH } from './proto.js';
export { prepareSocketPath, SOCKET_DIR_MODE, SOCKET_MODE } from './socket.js';
export { WorkloadApiError } from './errors.js';
