/**
 * A package's config schema (`spec.config.openAPIV3Schema`) is a CRD-style structural OpenAPI v3
 * schema; Package Operator checks it with the CRD schema rules and admits a config by pruning
 * unknown fields, applying defaults, then validating. The registry's Kubernetes-faithful schema
 * code does each step, so messages read like the API server's.
 */
import { fieldError, type JSONSchemaProps, type StatusCause } from '../apimachinery/index.js';
import { applyDefaults, checkStructural, pruneUnknownFields, validateValue } from '../registry/index.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * `default: null` decodes to "no default" in Kubernetes' JSONSchemaProps; drop such keys so the
 * structural checks and defaulting see what Package Operator sees.
 */
export function normalizeSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(normalizeSchema);
  if (!isRecord(schema)) return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([k, v]) => !(k === 'default' && v === null))
      .map(([k, v]) => [k, k === 'default' || k === 'enum' || k === 'example' ? v : normalizeSchema(v)]),
  );
}

/** Problems with the schema itself (at `path`); [] for a well-formed schema or none at all. */
export function validateConfigSchema(schema: unknown, path: string): StatusCause[] {
  if (schema === undefined || schema === null) return [];
  if (!isRecord(schema)) return [fieldError.typeInvalid(path, schema, 'must be an object')];
  const causes: StatusCause[] = [];
  if (schema.nullable === true)
    causes.push(fieldError.forbidden(`${path}.nullable`, 'nullable cannot be true at the root'));
  try {
    causes.push(...checkStructural(normalizeSchema(schema) as JSONSchemaProps, path));
  } catch (err) {
    causes.push(
      fieldError.invalid(
        path,
        '',
        `the schema cannot be read: ${err instanceof Error ? err.message : String(err)}`,
      ),
    );
  }
  return causes;
}

export interface AdmittedConfig {
  /** The config after pruning and defaulting. */
  config: Record<string, unknown>;
  /** Paths of the fields pruning removed. */
  pruned: string[];
  causes: StatusCause[];
}

/**
 * Admits `config` the way Package Operator does: no schema ⇒ the whole config is dropped;
 * otherwise prune → default → validate. Never mutates the input.
 */
export function validateConfig(schema: unknown, config: unknown, path: string): AdmittedConfig {
  if (!isRecord(schema)) return { config: {}, pruned: [], causes: [] };
  const copy: unknown = structuredClone(config ?? {});
  if (!isRecord(copy)) {
    return { config: {}, pruned: [], causes: [fieldError.typeInvalid(path, copy, 'must be an object')] };
  }
  const s = normalizeSchema(schema) as JSONSchemaProps;
  const pruned = pruneUnknownFields(copy, s, { isResourceRoot: false });
  applyDefaults(copy, s);
  const causes = validateValue(copy, s, path);
  return { config: copy, pruned, causes };
}
