/**
 * A small SPIFFE Workload API client for apps (and meshguard's tests): grpc-js over
 * the workload's Unix socket, with the `workload.spiffe.io: true` header on every call.
 * Answers come back as PEM and JWK Sets, ready for Node's `tls` and for jose.
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { JSONWebKeySet } from 'jose';
import { toPem } from '../identity/index.js';
import { packageRoot } from '../package-root.js';
import { splitDerSequence } from './der-split.js';

/** The header the SPIFFE Workload Endpoint spec requires; servers refuse calls without it. */
export const SECURITY_HEADER = 'workload.spiffe.io';
// The sdk may not import the proxy layer: it loads the same proto file from the package root itself.
const PROTO_RELATIVE_PATH = 'src/proxy/workload-api/workload.proto';

export interface X509Context {
  spiffeId: string;
  /** Leaf first. */
  certChainPem: string;
  /** PKCS#8 PEM: the app's own key. */
  keyPem: string;
  /** Roots of the SVID's trust domain. */
  bundlePem: string;
  /** Federated roots by trust domain SPIFFE ID. */
  federatedBundlesPem: Record<string, string>;
}

export interface WorkloadApiClient {
  fetchX509Context(): Promise<X509Context>;
  /** Calls `onUpdate` with each snapshot; returns a function that stops watching. */
  watchX509Context(onUpdate: (ctx: X509Context) => void, onError?: (err: grpc.ServiceError) => void): () => void;
  /** Roots by trust domain SPIFFE ID, PEM. */
  fetchX509Bundles(): Promise<Record<string, string>>;
  fetchJwtSvid(audience: string[], spiffeId?: string): Promise<Array<{ spiffeId: string; token: string }>>;
  fetchJwtBundles(): Promise<Record<string, JSONWebKeySet>>;
  validateJwtSvid(token: string, audience: string): Promise<{ spiffeId: string; claims: Record<string, unknown> }>;
  close(): void;
}

/** The path of workload.proto from the package root. */
export function workloadProtoPath(): string {
  return join(packageRoot(), PROTO_RELATIVE_PATH);
}

/**
 * A raw grpc-js client of `SpiffeWorkloadAPI` built from workload.proto (snake_case fields).
 * @example const raw = rawWorkloadApiClient('/run/meshguard/web/agent.sock');
 */
export function rawWorkloadApiClient(socketPath: string): grpc.Client & Record<string, grpc.MethodDefinition<unknown, unknown> | ((...a: unknown[]) => unknown)> {
  const def = protoLoader.loadSync(workloadProtoPath(), { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const Ctor = grpc.loadPackageDefinition(def).SpiffeWorkloadAPI as grpc.ServiceClientConstructor;
  return new Ctor(`unix:${socketPath}`, grpc.credentials.createInsecure()) as never;
}

interface RawSvid { spiffe_id: string; x509_svid: Buffer; x509_svid_key: Buffer; bundle: Buffer }
interface RawX509 { svids: RawSvid[]; federated_bundles: Record<string, Buffer> }
type Unary = (req: object, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res: never) => void) => void;
type Streaming = (req: object, md: grpc.Metadata) => grpc.ClientReadableStream<never>;

const derToPem = (der: Buffer) => toPem(splitDerSequence(der));

function toContext(res: RawX509): X509Context {
  const svid = res.svids[0];
  if (!svid) throw new Error('the Workload API answered without an X.509-SVID');
  const b64 = svid.x509_svid_key.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  const federated: Record<string, string> = {};
  for (const [td, der] of Object.entries(res.federated_bundles)) federated[td] = derToPem(der);
  return {
    spiffeId: svid.spiffe_id,
    certChainPem: derToPem(svid.x509_svid),
    keyPem: `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`,
    bundlePem: derToPem(svid.bundle),
    federatedBundlesPem: federated,
  };
}

/**
 * Connects to a Workload API socket (lazily: the first call connects).
 * @example
 * const wl = createWorkloadApiClient('/run/meshguard/default.web/agent.sock');
 * const { certChainPem, keyPem, bundlePem } = await wl.fetchX509Context();
 */
export function createWorkloadApiClient(socketPath: string): WorkloadApiClient {
  const raw = rawWorkloadApiClient(socketPath);
  const md = () => {
    const m = new grpc.Metadata();
    m.set(SECURITY_HEADER, 'true');
    return m;
  };
  const unary = <T>(name: string, req: object) =>
    new Promise<T>((resolve, reject) => (raw[name] as unknown as Unary).call(raw, req, md(), (err, res) => (err ? reject(err) : resolve(res as T))));
  const stream = (name: string, req: object) => (raw[name] as unknown as Streaming).call(raw, req, md());
  const first = <T>(name: string) => new Promise<T>((resolve, reject) => {
    const s = stream(name, {});
    s.once('data', (msg: T) => {
      resolve(msg);
      s.cancel();
    });
    s.once('error', (err: grpc.ServiceError) => err.code !== grpc.status.CANCELLED && reject(err));
  });

  return {
    fetchX509Context: async () => toContext(await first<RawX509>('FetchX509SVID')),
    watchX509Context(onUpdate, onError) {
      const s = stream('FetchX509SVID', {});
      s.on('data', (msg: RawX509) => onUpdate(toContext(msg)));
      s.on('error', (err: grpc.ServiceError) => err.code !== grpc.status.CANCELLED && onError?.(err));
      return () => s.cancel();
    },
    async fetchX509Bundles() {
      const res = await first<{ bundles: Record<string, Buffer> }>('FetchX509Bundles');
      return Object.fromEntries(Object.entries(res.bundles).map(([td, der]) => [td, derToPem(der)]));
    },
    async fetchJwtSvid(audience, spiffeId = '') {
      const res = await unary<{ svids: Array<{ spiffe_id: string; svid: string }> }>('FetchJWTSVID', { audience, spiffe_id: spiffeId });
      return res.svids.map((s) => ({ spiffeId: s.spiffe_id, token: s.svid }));
    },
    async fetchJwtBundles() {
      const res = await first<{ bundles: Record<string, Buffer> }>('FetchJWTBundles');
      return Object.fromEntries(Object.entries(res.bundles).map(([td, json]) => [td, JSON.parse(json.toString('utf8')) as JSONWebKeySet]));
    },
    async validateJwtSvid(token, audience) {
      const res = await unary<{ spiffe_id: string; claims: { fields: Record<string, unknown> } }>('ValidateJWTSVID', { audience, svid: token });
      return { spiffeId: res.spiffe_id, claims: fromStruct(res.claims) };
    },
    close: () => raw.close(),
  };
}

type RawValue = { kind?: string } & Record<string, unknown>;

/** `google.protobuf.Struct` (as proto-loader decodes it, with `oneofs`) back to JSON. */
function fromStruct(s: { fields: Record<string, unknown> } | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s?.fields ?? {})) out[k] = fromValue(v as RawValue);
  return out;
}

function fromValue(v: RawValue): unknown {
  switch (v.kind) {
    // Well-known types keep protobufjs's camelCase names.
    case 'numberValue': case 'stringValue': case 'boolValue': return v[v.kind];
    case 'listValue': return ((v.listValue as { values?: RawValue[] }).values ?? []).map(fromValue);
    case 'structValue': return fromStruct(v.structValue as { fields: Record<string, unknown> });
    default: return null;
  }
}
