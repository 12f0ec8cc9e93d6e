/**
 * The mesh config as Istio users hold it: the `istio` ConfigMap's `data.mesh`
 * (a MeshConfig YAML string) or a file of that YAML (`--mesh-config`), checked
 * against Istio's MeshConfig fields and reduced to what meshguard acts on.
 */
import { isMap, isPair, isScalar, type Scalar } from 'yaml';
import { CONFIG_ERROR_CODES, ConfigError } from './errors.js';
import { DEFAULT_MESH_CONFIG, type MeshConfig, type PathNormalization } from './kinds.js';
import { parseWithSchema } from './schema-issues.js';
import { meshConfigSchema, type RawMeshConfig } from './schemas/mesh-config.js';
import { embeddedPositions, formatFieldPath, type FieldPath } from './yaml-positions.js';
import { locate, readEmbeddedDocument, type LocatedDocument } from './yaml-reader.js';

/** Istio's defaults for the fields meshguard reads, applied to what the user wrote. */
export function toMeshConfig(raw: RawMeshConfig): MeshConfig {
  const normalization = raw.pathNormalization?.normalization;
  const mode = raw.outboundTrafficPolicy?.mode;
  return {
    rootNamespace: raw.rootNamespace || DEFAULT_MESH_CONFIG.rootNamespace,
    trustDomain: raw.trustDomain || DEFAULT_MESH_CONFIG.trustDomain,
    trustDomainAliases: raw.trustDomainAliases ?? [],
    extensionProviders: (raw.extensionProviders ?? []).map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as MeshConfig['extensionProviders'][number]),
    // DEFAULT means "Istio's default", which is BASE.
    pathNormalization: !normalization || normalization === 'DEFAULT' ? DEFAULT_MESH_CONFIG.pathNormalization : (normalization as PathNormalization),
    // ALLOW_ANY_DYNAMIC_DNS still allows any destination; only the DNS handling differs.
    outboundTrafficPolicy: mode === 'REGISTRY_ONLY' ? 'REGISTRY_ONLY' : 'ALLOW_ANY',
  };
}

/**
 * Parses a MeshConfig document. `displayPrefix` is how fields are named in
 * errors (`['data', 'mesh']` inside a ConfigMap).
 */
export function parseMeshDocument(d: LocatedDocument, displayPrefix: FieldPath, errors: ConfigError[]): MeshConfig | undefined {
  const value = d.value ?? {}; // an empty mesh config is all defaults
  const at = (full: FieldPath) => locate(d, full.slice(displayPrefix.length));
  const parsed = parseWithSchema(meshConfigSchema, value, { file: d.file, prefix: displayPrefix, locate: at });
  if (!parsed.ok) {
    errors.push(...parsed.errors);
    return undefined;
  }
  const seen = new Set<string>();
  let ok = true;
  parsed.value.extensionProviders?.forEach((p, i) => {
    if (seen.has(p.name)) {
      const path = [...displayPrefix, 'extensionProviders', i, 'name'];
      const pos = at(path);
      errors.push(new ConfigError(CONFIG_ERROR_CODES.rule, `duplicate extension provider name ${JSON.stringify(p.name)}`, { file: d.file, line: pos.line, column: pos.column, field: formatFieldPath(path), rule: 'mesh-provider-duplicate', hint: 'give each provider its own name' }));
      ok = false;
    }
    seen.add(p.name);
  });
  return ok ? toMeshConfig(parsed.value) : undefined;
}

/** The scalar node holding `data.mesh` in a ConfigMap document, for exact positions. */
function meshScalar(d: LocatedDocument, prefix: FieldPath): Scalar | undefined {
  let node: unknown = d.doc.contents;
  for (const seg of [...prefix, 'data', 'mesh']) {
    if (isMap(node)) node = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === seg)?.value;
    else if (typeof seg === 'number' && node && typeof node === 'object' && 'items' in node) node = (node as { items: unknown[] }).items[seg];
    else return undefined;
  }
  return isScalar(node) ? node : undefined;
}

/** The text of `data.mesh` and a reader for it; undefined when the ConfigMap has none (defaults apply). */
export function readConfigMapMesh(
  d: LocatedDocument,
  prefix: FieldPath,
  data: unknown,
  errors: ConfigError[],
): { doc: LocatedDocument; displayPrefix: FieldPath } | undefined | null {
  const mesh = (data as { mesh?: unknown } | undefined)?.mesh;
  if (mesh === undefined) return undefined;
  const field = [...prefix, 'data', 'mesh'];
  const scalar = meshScalar(d, prefix);
  if (typeof mesh !== 'string' || !scalar) {
    const pos = locate(d, field);
    errors.push(new ConfigError(CONFIG_ERROR_CODES.invalidValue, 'data.mesh must be a string holding MeshConfig YAML', { file: d.file, line: pos.line, column: pos.column, field: formatFieldPath(field), hint: 'write `mesh: |` followed by the indented MeshConfig' }));
    return null;
  }
  const map = embeddedPositions(d.text, scalar, d.lines, d.map);
  const inner = readEmbeddedDocument(d.file, mesh, map, errors);
  return inner ? { doc: inner, displayPrefix: field } : null;
}
