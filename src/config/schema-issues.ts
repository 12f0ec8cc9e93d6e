/**
 * Turns zod's issues into ConfigErrors that point at the YAML: unknown fields get
 * the closest known name, enum values the closest allowed one, type errors say
 * what was found and what was expected.
 */
import type { z } from 'zod';
import { closestName } from './closest-name.js';
import { CONFIG_ERROR_CODES, ConfigError, type ConfigErrorCode } from './errors.js';
import { formatFieldPath, type FieldPath } from './yaml-positions.js';
import type { Position } from './kinds.js';

/** Locates a path in the document being checked. */
export type Locate = (path: FieldPath) => Position;

interface SchemaDef {
  type?: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  element?: unknown;
  valueType?: unknown;
  options?: unknown[];
  in?: unknown;
  out?: unknown;
}

function defOf(schema: unknown): SchemaDef {
  return ((schema as { _zod?: { def?: SchemaDef } })?._zod?.def ?? {}) as SchemaDef;
}

/** The object schemas reachable at `path` (several through unions). */
function objectsAt(schema: unknown, path: FieldPath): SchemaDef[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return objectsAt(def.innerType, path);
    case 'pipe':
      return objectsAt(def.in, path);
    case 'union':
      return (def.options ?? []).flatMap((o) => objectsAt(o, path));
    case 'object':
      if (path.length === 0) return [def];
      return objectsAt(def.shape?.[String(path[0])], path.slice(1));
    case 'array':
      return path.length === 0 ? [] : objectsAt(def.element, path.slice(1));
    case 'record':
      return path.length === 0 ? [] : objectsAt(def.valueType, path.slice(1));
    default:
      return [];
  }
}

/** Field names a strict object at `path` knows, for "did you mean". */
export function knownFieldsAt(schema: unknown, path: FieldPath): string[] {
  return [...new Set(objectsAt(schema, path).flatMap((d) => Object.keys(d.shape ?? {})))];
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

function valueAt(root: unknown, path: FieldPath): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function expectedText(expected: string): string {
  if (expected === 'object') return 'a map';
  if (expected === 'array') return 'a list';
  return expected;
}

interface Ctx {
  file: string;
  schema: unknown;
  data: unknown;
  /** Prefix of the schema's root inside the document (`['spec']`). */
  prefix: FieldPath;
  locate: Locate;
}

function make(ctx: Ctx, code: ConfigErrorCode, path: FieldPath, message: string, hint?: string): ConfigError {
  const full = [...ctx.prefix, ...path];
  const pos = ctx.locate(full);
  return new ConfigError(code, message, { file: ctx.file, line: pos.line, column: pos.column, field: formatFieldPath(full), hint });
}

type Issue = z.core.$ZodIssue;

function convert(ctx: Ctx, issue: Issue): ConfigError[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownFieldsAt(ctx.schema, path);
      return issue.keys.map((key) => {
        const near = closestName(key, known);
        const hint = near ? `did you mean \`${near}\`?` : known.length ? `known fields: ${known.join(', ')}` : undefined;
        return make(ctx, CONFIG_ERROR_CODES.unknownField, [...path, key], `unknown field \`${key}\``, hint);
      });
    }
    case 'invalid_type': {
      const value = valueAt(ctx.data, path);
      if (value === undefined) {
        return [make(ctx, CONFIG_ERROR_CODES.missingField, path, `required field \`${String(path.at(-1) ?? '')}\` is missing`, `add it (${expectedText(issue.expected)})`)];
      }
      return [make(ctx, CONFIG_ERROR_CODES.invalidValue, path, `expected ${expectedText(issue.expected)}, found ${typeName(value)}`)];
    }
    case 'invalid_value': {
      const value = valueAt(ctx.data, path);
      const allowed = issue.values.map(String);
      const near = typeof value === 'string' ? closestName(value, allowed) : undefined;
      const hint = near ? `did you mean \`${near}\`?` : `one of ${allowed.join(', ')}`;
      return [make(ctx, CONFIG_ERROR_CODES.invalidValue, path, `${typeName(value)} is not allowed`, hint)];
    }
    case 'invalid_union': {
      // Scalar unions (port: number | name): say what both sides expected.
      const value = valueAt(ctx.data, path);
      if (value === undefined) return [make(ctx, CONFIG_ERROR_CODES.missingField, path, `required field \`${String(path.at(-1) ?? '')}\` is missing`)];
      const branches = issue.errors.map((errs) => errs.map((e) => ({ ...e, path: [...path, ...e.path] }) as Issue));
      const deep = branches.find((b) => b.some((e) => e.path.length > path.length));
      if (deep) return deep.flatMap((e) => convert(ctx, e));
      const firstMessages = branches.map((b) => b[0]?.message).filter(Boolean);
      return [make(ctx, CONFIG_ERROR_CODES.invalidValue, path, `${typeName(value)} is not valid here`, firstMessages.join('; or '))];
    }
    default: {
      const value = valueAt(ctx.data, path);
      const shown = value === undefined || typeof value === 'object' ? '' : ` (found ${typeName(value)})`;
      return [make(ctx, CONFIG_ERROR_CODES.invalidValue, path, `${issue.message}${shown}`)];
    }
  }
}

/**
 * Validates `data` with `schema`; on failure returns ConfigErrors located in the
 * document (`prefix` is where `data` sits in it, e.g. `['spec']`).
 */
export function parseWithSchema<S extends z.ZodType>(
  schema: S,
  data: unknown,
  ctx: Omit<Ctx, 'schema' | 'data'>,
): { ok: true; value: z.output<S> } | { ok: false; errors: ConfigError[] } {
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, value: result.data };
  const full: Ctx = { ...ctx, schema, data };
  return { ok: false, errors: result.error.issues.flatMap((i) => convert(full, i)) };
}
