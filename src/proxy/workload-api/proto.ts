/**
 * Loads `workload.proto`. tsc does not copy .proto files into `dist/`, so the file is
 * found from the package root (the nearest folder holding `package.json`), which is
 * the same under tsx (`src/…`) and after `npm run build` (`dist/…`).
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { packageRoot } from '../../package-root.js';

/** The proto's place inside the package. */
export const WORKLOAD_PROTO_RELATIVE_PATH = 'src/proxy/workload-api/workload.proto';
/** The security header the SPIFFE Workload Endpoint spec requires on every call. */
export const SECURITY_HEADER = 'workload.spiffe.io';

// Field names stay as the spec writes them (snapshot_case); bytes are Buffers.
const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

/** @example workloadProtoPath() // '/usr/lib/node_modules/meshguard/src/proxy/workload-api/workload.proto' */
export function workloadProtoPath(): string {
  return join(packageRoot(), WORKLOAD_PROTO_RELATIVE_PATH);
}

/**
 * The `SpiffeWorkloadAPI` service constructor (client) and definition (server).
 * @example const { service } = loadWorkloadApi(); server.addService(service, handlers);
 */
export function loadWorkloadApi(): { Client: grpc.ServiceClientConstructor; service: grpc.ServiceDefinition } {
  const definition = protoLoader.loadSync(workloadProtoPath(), LOADER_OPTIONS);
  const Client = grpc.loadPackageDefinition(definition).SpiffeWorkloadAPI as grpc.ServiceClientConstructor;
  return { Client, service: Client.service };
}
