/**
 * Where `workload.proto` lives, and the spec's security header. The server does not
 * read the .proto (its service is written out in `service-definition.ts`); the file
 * ships for clients and for the tests that check the two agree. tsc does not copy
 * .proto files into `dist/`, so it is found from the package root (the nearest folder
 * holding `package.json`), the same under tsx (`src/…`) and after `npm run build`.
 */
import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';

/** The proto's place inside the package. */
export const WORKLOAD_PROTO_RELATIVE_PATH = 'src/proxy/workload-api/workload.proto';
/** The security header the SPIFFE Workload Endpoint spec requires on every call. */
export const SECURITY_HEADER = 'workload.spiffe.io';

/** @example workloadProtoPath() // '/usr/lib/node_modules/meshguard/src/proxy/workload-api/workload.proto' */
export function workloadProtoPath(): string {
  return join(packageRoot(), WORKLOAD_PROTO_RELATIVE_PATH);
}
