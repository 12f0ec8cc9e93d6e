/** The local platform: `meshguard up`'s supervisor, its address plan, the legacy forwarder, and finding a running mesh. */
export { APP_OCTET, isLoopbackV4, MAX_WORKLOADS, planAddresses, refOf, WORKLOAD_OCTET, type WorkloadAddresses } from './addresses.js';
export { LOCAL_ERROR_CODES, LocalMeshError, type LocalErrorCode } from './errors.js';
export { prepareFreshStart, LOGS_DIR, PROXIES_DIR, type FreshStartReport } from './fresh-start.js';
export { startLegacyForwarder, type LegacyForwarder, type LegacyForwarderOptions } from './legacy-forwarder.js';
export { planMesh, workloadEnv, withoutProxyVariables, type MeshPlan, type PlannedWorkload } from './mesh-plan.js';
export { ADDRESS_WAIT_MS, canBind, freePort, waitForFreeAddresses } from './ports.js';
export { findRunningMesh, findWorkload, meshDataDir, stopRunningMesh, DOWN_TIMEOUT_MS } from './running-mesh.js';
export { startLocalMesh, type LocalMeshOptions, type RunningMesh } from './supervisor.js';
export { SIDECAR_NODE_FLAGS, withSidecarNodeFlags } from './sidecar-flags.js';
export { startSupervised, type SupervisedProcess, type SupervisedSpec } from './supervised-process.js';
export { readUpState, writeUpState, removeUpState, processAlive, UP_STATE_FILE, type UpState, type UpWorkload } from './up-state.js';
export { watchdogArgs, watchdogCommand, DEFAULT_GRACE_MS, PARENT_POLL_MS, type WatchdogCommand } from './watchdog.js';
