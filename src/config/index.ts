/** The public surface of `config/`: resource kinds, loading with file:line errors, indexes. */
export {
  DEFAULT_MESH_CONFIG,
  resourceName,
  type AuthorizationPolicy,
  type DestinationRule,
  type Gateway,
  type MeshConfig,
  type NetworkPolicy,
  type PeerAuthentication,
  type Position,
  type RequestAuthentication,
  type Resource,
  type ResourceKind,
  type Service,
  type SourceRef,
  type VirtualService,
  type Workload,
} from './kinds.js';
export { CONFIG_ERROR_CODES, ConfigError, formatConfigError, type ConfigErrorCode, type ConfigErrorInit } from './errors.js';
export { parseDocuments, type ConfigInput, type LoadOptions, type LoadResult } from './load.js';
export { ResourceSet } from './resource-set.js';
export { closestName } from './closest-name.js';
export { formatFieldPath } from './yaml-positions.js';
export { EXTENSION_PROVIDER_TYPES } from './schemas/mesh-config.js';
export { parseWithSchemaText } from './parse-text.js';
