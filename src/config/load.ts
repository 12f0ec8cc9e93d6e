/**
 * YAML/JSON texts → validated resources, the mesh config, errors and notes.
 * Each document stands alone: a bad one gives errors, the others still load,
 * and the caller decides whether to go on. Pure: it takes `{file, text}`.
 */
import { z } from 'zod';
import { CONFIG_ERROR_CODES, ConfigError } from './errors.js';
import { KINDS, splitApiVersion, type KindEntry } from './kind-registry.js';
import { DEFAULT_MESH_CONFIG, type MeshConfig, type ObjectMeta, type Resource, type SourceRef } from './kinds.js';
import { parseMeshDocument, readConfigMapMesh } from './mesh-config.js';
import { parseWithSchema } from './schema-issues.js';
import { objectMeta } from './schemas/common.js';
import { collectFieldPositions, formatFieldPath, type FieldPath } from './yaml-positions.js';
import { locate, readDocuments, readEmbeddedDocument, type LocatedDocument } from './yaml-reader.js';
import { identityPositions } from './yaml-positions.js';

export interface ConfigInput {
  file: string;
  text: string;
}

export interface LoadOptions {
  /** `--mesh-config FILE`: a MeshConfig YAML file; it wins over an `istio` ConfigMap. */
  meshConfigFile?: ConfigInput;
}

export interface LoadResult {
  resources: Resource[];
  mesh: MeshConfig;
  /** Where the mesh config came from; null when Istio's defaults apply. */
  meshSource: SourceRef | null;
  errors: ConfigError[];
  /** For stderr: kinds skipped, ConfigMaps not taken as the mesh config. */
  notes: string[];
}

interface MeshCandidate {
  d: LocatedDocument;
  prefix: FieldPath;
  namespace: string;
  data: unknown;
}

interface Ctx {
  resources: Resource[];
  errors: ConfigError[];
  notes: string[];
  meshCandidates: MeshCandidate[];
  seen: Map<string, SourceRef>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function errorAt(d: LocatedDocument, code: ConfigError['code'], path: FieldPath, message: string, extra: { hint?: string; rule?: string } = {}): ConfigError {
  const pos = locate(d, path);
  return new ConfigError(code, message, { file: d.file, line: pos.line, column: pos.column, field: formatFieldPath(path), ...extra });
}

function sourceOf(d: LocatedDocument, prefix: FieldPath, root: unknown): SourceRef {
  const pos = locate(d, prefix);
  const fields = collectFieldPositions(d.doc, root, [], d.lines, d.map);
  return { file: d.file, line: pos.line, column: pos.column, document: d.index, fields };
}

function nodeAt(d: LocatedDocument, prefix: FieldPath): unknown {
  if (prefix.length === 0) return d.doc.contents;
  return d.doc.getIn(prefix, true);
}

const envelopes = new WeakMap<KindEntry, z.ZodType>();

/** apiVersion/kind/metadata/spec/status around a kind's spec; built once per kind (building zod schemas is not cheap). */
function envelopeFor(entry: KindEntry): z.ZodType {
  let envelope = envelopes.get(entry);
  if (!envelope) {
    envelope = z.strictObject({
      apiVersion: z.string(),
      kind: z.string(),
      metadata: objectMeta,
      spec: entry.spec.prefault({}), // an absent spec is an empty one, as Kubernetes stores it
      status: z.unknown().optional(), // written by controllers; never read
    });
    envelopes.set(entry, envelope);
  }
  return envelope;
}

function parseObject(ctx: Ctx, d: LocatedDocument, prefix: FieldPath, obj: Record<string, unknown>): void {
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
    const missing = typeof apiVersion !== 'string' || apiVersion === '' ? 'apiVersion' : 'kind';
    ctx.errors.push(errorAt(d, CONFIG_ERROR_CODES.notAResource, [...prefix, missing], `document has no \`${missing}\`: not a Kubernetes-style resource`, { hint: 'every document needs apiVersion, kind and metadata' }));
    return;
  }
  const { group, version } = splitApiVersion(apiVersion);
  if (group === '' && kind === 'ConfigMap') {
    collectConfigMap(ctx, d, prefix, obj);
    return;
  }
  const entry = KINDS.get(`${group}/${kind}`);
  if (!entry) {
    const pos = locate(d, prefix);
    ctx.notes.push(`${d.file}:${pos.line}: skipped ${apiVersion} ${kind} (not a kind meshguard reads)`);
    return;
  }
  if (!entry.versions.includes(version)) {
    ctx.errors.push(errorAt(d, CONFIG_ERROR_CODES.invalidValue, [...prefix, 'apiVersion'], `${kind} is not served at ${apiVersion}`, { hint: `use ${entry.versions.map((v) => `${group ? `${group}/` : ''}${v}`).join(' or ')}` }));
    return;
  }
  const envelope = envelopeFor(entry);
  const parsed = parseWithSchema(envelope, obj, { file: d.file, prefix, locate: (p) => locate(d, p) });
  if (!parsed.ok) {
    ctx.errors.push(...parsed.errors);
    return;
  }
  const { metadata, spec } = parsed.value as { metadata: ObjectMeta; spec: unknown };
  const findings = entry.validate(metadata, spec as never);
  if (findings.length > 0) {
    for (const f of findings) ctx.errors.push(errorAt(d, CONFIG_ERROR_CODES.rule, [...prefix, ...f.path], f.message, { hint: f.hint, rule: f.rule }));
    return;
  }
  const source = sourceOf(d, prefix, nodeAt(d, prefix));
  const key = `${group}/${kind}/${metadata.namespace}/${metadata.name}`;
  const first = ctx.seen.get(key);
  if (first) {
    ctx.errors.push(errorAt(d, CONFIG_ERROR_CODES.duplicate, [...prefix, 'metadata', 'name'], `${kind} ${metadata.namespace}/${metadata.name} is already defined at ${first.file}:${first.line}`, { hint: 'rename one of them or remove the copy' }));
    return;
  }
  ctx.seen.set(key, source);
  ctx.resources.push({ apiVersion, group, kind, metadata, spec, source } as Resource);
}

function collectConfigMap(ctx: Ctx, d: LocatedDocument, prefix: FieldPath, obj: Record<string, unknown>): void {
  const meta = obj.metadata;
  // Other ConfigMaps are common in manifest folders and say nothing about the mesh.
  if (!isObject(meta) || meta.name !== 'istio') return;
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : 'default';
  ctx.meshCandidates.push({ d, prefix, namespace, data: obj.data });
}

/**
 * Istio accepts `envoyExtAuthzGrpc` providers and so do we, but meshguard's proxies call only
 * `envoyExtAuthzHttp`: say so where the mesh config is read, before a CUSTOM policy finds out (403).
 */
function unsupportedProviderNotes(mesh: MeshConfig, source: SourceRef): string[] {
  return mesh.extensionProviders
    .filter((p) => p.envoyExtAuthzGrpc !== undefined)
    .map((p) => `${source.file}:${source.line}: extension provider "${p.name}" is envoyExtAuthzGrpc, which meshguard's proxies do not call yet: CUSTOM policies naming it deny every request they select (403); use envoyExtAuthzHttp`);
}

/** Istio reads the `istio` ConfigMap of its root namespace: the one named by its own rootNamespace, or istio-system. */
function pickMesh(ctx: Ctx, options: LoadOptions): { mesh: MeshConfig; source: SourceRef | null } {
  if (options.meshConfigFile) {
    const { file, text } = options.meshConfigFile;
    const d = readEmbeddedDocument(file, text, identityPositions, ctx.errors);
    const mesh = d && parseMeshDocument(d, [], ctx.errors);
    return mesh ? { mesh, source: { file, line: 1, column: 1, document: 0 } } : { mesh: DEFAULT_MESH_CONFIG, source: null };
  }
  let chosen: { mesh: MeshConfig; source: SourceRef } | undefined;
  for (const c of ctx.meshCandidates) {
    const read = readConfigMapMesh(c.d, c.prefix, c.data, ctx.errors);
    if (read === null) continue;
    const mesh = read ? parseMeshDocument(read.doc, read.displayPrefix, ctx.errors) : DEFAULT_MESH_CONFIG;
    if (!mesh) continue;
    const pos = locate(c.d, c.prefix);
    if (c.namespace !== mesh.rootNamespace) {
      ctx.notes.push(`${c.d.file}:${pos.line}: ConfigMap istio in namespace ${c.namespace} is not the mesh config (that lives in the root namespace ${mesh.rootNamespace})`);
      continue;
    }
    if (chosen) {
      ctx.errors.push(errorAt(c.d, CONFIG_ERROR_CODES.duplicate, [...c.prefix, 'metadata', 'name'], `a second mesh config: ConfigMap ${c.namespace}/istio is already defined at ${chosen.source.file}:${chosen.source.line}`));
      continue;
    }
    chosen = { mesh, source: { file: c.d.file, line: pos.line, column: pos.column, document: c.d.index } };
  }
  // Without a mesh config, Istio's defaults apply and no extension provider exists.
  return chosen ?? { mesh: DEFAULT_MESH_CONFIG, source: null };
}

function parseDocument(ctx: Ctx, d: LocatedDocument): void {
  const value = d.value;
  if (value === null || value === undefined) return; // empty or comment-only document
  if (!isObject(value)) {
    ctx.errors.push(errorAt(d, CONFIG_ERROR_CODES.notAResource, [], `document is ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}, not a resource`, { hint: 'every document needs apiVersion, kind and metadata' }));
    return;
  }
  if (value.kind === 'List' && Array.isArray(value.items)) {
    // kubectl's habit: `kind: List` wraps resources in `items`.
    value.items.forEach((item, i) => {
      if (isObject(item)) parseObject(ctx, d, ['items', i], item);
      else ctx.errors.push(errorAt(d, CONFIG_ERROR_CODES.notAResource, ['items', i], 'List item is not a resource'));
    });
    return;
  }
  parseObject(ctx, d, [], value);
}

/**
 * Loads every document of every input. Never throws on bad input.
 *
 * @example
 * const { resources, errors } = parseDocuments([{ file: 'policy.yaml', text }]);
 * for (const e of errors) console.error(formatConfigError(e));
 */
export function parseDocuments(inputs: ConfigInput[], options: LoadOptions = {}): LoadResult {
  const ctx: Ctx = { resources: [], errors: [], notes: [], meshCandidates: [], seen: new Map() };
  for (const input of inputs) {
    for (const d of readDocuments(input.file, input.text, ctx.errors)) parseDocument(ctx, d);
  }
  const { mesh, source } = pickMesh(ctx, options);
  if (source) ctx.notes.push(...unsupportedProviderNotes(mesh, source));
  return { resources: ctx.resources, mesh, meshSource: source, errors: ctx.errors, notes: ctx.notes };
}
