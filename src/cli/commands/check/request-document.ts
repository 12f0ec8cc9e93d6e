/**
 * The request `meshguard check` evaluates: a JSON/YAML document (`--request FILE|-`)
 * or flags (`--to ns/app=webapp:8080 --from … --method GET --path /x`). Both become
 * the engine's `RequestFacts`. Unknown fields are refused, with file:line and the
 * closest known name, like resources.
 */
import { z } from 'zod';
import { parseWithSchemaText, type ConfigError } from '../../../config/index.js';
import type { RequestFacts } from '../../../policy/decide.js';
import type { ResourceSet } from '../../../config/index.js';

const headerValue = z.union([z.string(), z.array(z.string())]);

export const requestDocumentSchema = z.strictObject({
  destination: z.strictObject({
    namespace: z.string().min(1),
    /** Labels of the destination workload; or name a Workload with `workload`. */
    labels: z.record(z.string(), z.string()).optional(),
    workload: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535),
    ip: z.string().optional(),
  }),
  source: z.strictObject({
    principal: z.string().min(1).nullable().optional(),
    ip: z.string().optional(),
    remoteIp: z.string().optional(),
  }).optional(),
  request: z.strictObject({
    protocol: z.enum(['http', 'tcp']).optional(),
    method: z.string().min(1).optional(),
    host: z.string().optional(),
    path: z.string().optional(),
    headers: z.record(z.string(), headerValue).optional(),
    sni: z.string().optional(),
  }).optional(),
  token: z.string().min(1).optional(),
  claims: z.record(z.string(), z.unknown()).optional(),
}).superRefine((doc, ctx) => {
  // A raw TCP connection has no HTTP request, hence no method, path, headers or end-user token.
  if (doc.request?.protocol !== 'tcp') return;
  for (const key of ['method', 'host', 'path', 'headers'] as const) {
    if (doc.request[key] !== undefined) ctx.addIssue({ code: 'custom', path: ['request', key], message: `a tcp request has no ${key}: remove it, or make the protocol http` });
  }
  for (const key of ['token', 'claims'] as const) {
    if (doc[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `a tcp request carries no ${key}: remove it, or make the protocol http` });
  }
});

export type RequestDocument = z.infer<typeof requestDocumentSchema>;

/** Parses a request document; errors name file, line and field. */
export function parseRequestDocument(file: string, text: string): { ok: true; doc: RequestDocument } | { ok: false; errors: ConfigError[] } {
  const res = parseWithSchemaText(file, text, requestDocumentSchema);
  return res.ok ? { ok: true, doc: res.value } : res;
}

export interface RequestFlags {
  to?: string;
  from?: string;
  sourceIp?: string;
  method?: string;
  host?: string;
  path?: string;
  header?: string[];
  token?: string;
  tcp?: boolean;
}

/**
 * Builds a request document from flags. `--to NS/KEY=VALUE[,KEY=VALUE]:PORT` or
 * `--to NS/WORKLOAD:PORT`; `--from PRINCIPAL` (omit for plaintext).
 */
export function requestFromFlags(flags: RequestFlags): RequestDocument {
  const to = /^([^/]+)\/([^:]+):(\d+)$/.exec(flags.to ?? '');
  if (!to) throw new Error(`--to must look like NAMESPACE/app=NAME:PORT or NAMESPACE/WORKLOAD:PORT, got "${flags.to ?? ''}"`);
  const [, namespace, who, port] = to as unknown as [string, string, string, string];
  const destination: RequestDocument['destination'] = { namespace, port: Number(port) };
  if (who.includes('=')) {
    destination.labels = Object.fromEntries(who.split(',').map((kv) => {
      const i = kv.indexOf('=');
      return [kv.slice(0, i), kv.slice(i + 1)];
    }));
  } else {
    destination.workload = who;
  }
  const headers: Record<string, string | string[]> = {};
  for (const h of flags.header ?? []) {
    const i = h.indexOf('=');
    if (i <= 0) throw new Error(`--header must look like NAME=VALUE, got "${h}"`);
    const name = h.slice(0, i).toLowerCase();
    const value = h.slice(i + 1);
    const prev = headers[name];
    headers[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
  }
  return {
    destination,
    source: { principal: flags.from ?? null, ip: flags.sourceIp },
    request: flags.tcp
      ? { protocol: 'tcp' }
      : { method: flags.method ?? 'GET', host: flags.host ?? `${destination.workload ?? destination.labels?.app ?? 'unknown'}.${namespace}`, path: flags.path ?? '/', headers },
    token: flags.token,
  };
}

/**
 * The engine's view of the request. Labels come from the document, or from the
 * named Workload; the Services that select the workload are found for `targetRefs`.
 */
export function toRequestFacts(doc: RequestDocument, set: ResourceSet): RequestFacts {
  const { destination } = doc;
  let labels = destination.labels;
  if (destination.workload !== undefined) {
    const w = set.workloadsIn(destination.namespace).find((x) => x.metadata.name === destination.workload);
    if (!w) throw new Error(`destination.workload: no Workload ${destination.namespace}/${destination.workload} in the given files (give its labels with destination.labels instead)`);
    labels = { ...(w.metadata.labels ?? {}), ...(labels ?? {}) };
  }
  labels ??= {};
  const services = set.servicesIn(destination.namespace)
    .filter((s) => s.spec.selector && Object.entries(s.spec.selector).every(([k, v]) => labels[k] === v))
    .map((s) => s.metadata.name);
  const protocol = doc.request?.protocol ?? 'http';
  const r = doc.request ?? {};
  return {
    workload: { namespace: destination.namespace, labels, services },
    port: destination.port,
    protocol,
    source: {
      principal: doc.source?.principal ?? undefined,
      ip: doc.source?.ip,
      remoteIp: doc.source?.remoteIp,
    },
    destinationIp: destination.ip,
    sni: r.sni,
    http: protocol === 'http'
      ? { method: r.method ?? 'GET', host: r.host ?? '', path: r.path ?? '/', headers: r.headers ?? {} }
      : undefined,
    token: doc.token,
    claims: doc.claims,
  };
}
