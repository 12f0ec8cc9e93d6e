/**
 * The `SpiffeWorkloadAPI` gRPC service for grpc-js, written out instead of loaded
 * from `workload.proto` with proto-loader: same paths (no proto package, so
 * `/SpiffeWorkloadAPI/<Method>`), same messages through `message-codec.ts`.
 */
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { decodeMessage, encodeMessage, type Message, type MessageSpec } from './message-codec.js';
import {
  EMPTY_REQUEST, JWT_BUNDLES_RESPONSE, JWT_SVID_REQUEST, JWT_SVID_RESPONSE, VALIDATE_JWT_SVID_REQUEST,
  VALIDATE_JWT_SVID_RESPONSE, X509_BUNDLES_RESPONSE, X509_SVID_RESPONSE,
} from './workload-messages.js';

/** The service's name on the wire. */
export const WORKLOAD_API_SERVICE_NAME = 'SpiffeWorkloadAPI';

function method(name: string, request: MessageSpec, response: MessageSpec, responseStream: boolean): MethodDefinition<Message, Message> {
  return {
    path: `/${WORKLOAD_API_SERVICE_NAME}/${name}`,
    originalName: name,
    requestStream: false,
    responseStream,
    requestSerialize: (m) => encodeMessage(request, m),
    requestDeserialize: (b) => decodeMessage(request, b),
    responseSerialize: (m) => encodeMessage(response, m),
    responseDeserialize: (b) => decodeMessage(response, b),
  };
}

/**
 * Server and client definition of the Workload API.
 * @example server.addService(WORKLOAD_API_SERVICE, handlers); new (grpc.makeGenericClientConstructor(WORKLOAD_API_SERVICE, 'SpiffeWorkloadAPI'))(…)
 */
export const WORKLOAD_API_SERVICE = {
  FetchX509SVID: method('FetchX509SVID', EMPTY_REQUEST, X509_SVID_RESPONSE, true),
  FetchX509Bundles: method('FetchX509Bundles', EMPTY_REQUEST, X509_BUNDLES_RESPONSE, true),
  FetchJWTSVID: method('FetchJWTSVID', JWT_SVID_REQUEST, JWT_SVID_RESPONSE, false),
  FetchJWTBundles: method('FetchJWTBundles', EMPTY_REQUEST, JWT_BUNDLES_RESPONSE, true),
  ValidateJWTSVID: method('ValidateJWTSVID', VALIDATE_JWT_SVID_REQUEST, VALIDATE_JWT_SVID_RESPONSE, false),
} satisfies ServiceDefinition;
