/**
 * The checks every write of a stored kind goes through, in Kubernetes' order: decode (type meta,
 * namespace, name), unknown fields per `fieldValidation`, defaults, then validation of metadata,
 * schema, kind rules and immutable fields. Throws BadRequestError or InvalidError; never writes.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  BadRequestError,
  InvalidError,
  apiVersionOf,
  fieldError,
  isPlainObject,
  validateObjectMeta,
  type KubeObject,
  type StatusCause,
} from '../apimachinery/index.js';
import type { FieldValidation } from './handler.js';
import type { KindDefinition } from './kind.js';
import { applyDefaults, pruneUnknownFields, validateValue } from './schema/index.js';

/** Checks the body is an object of this kind and version, and fills in namespace/name from the URL. */
export function decodeObject(
  body: unknown,
  kind: KindDefinition,
  version: string,
  target: { namespace: string; name?: string },
): KubeObject {
  if (!isPlainObject(body))
    throw new BadRequestError(`the body of the request must be a ${kind.names.kind} object`);
  const expected = apiVersionOf(kind.group, version);
  const apiVersion = body.apiVersion ?? expected;
  const kindName = body.kind ?? kind.names.kind;
  if (apiVersion !== expected) {
    throw new BadRequestError(
      `the API version in the data (${JSON.stringify(apiVersion)}) does not match the expected API version (${expected})`,
    );
  }
  if (kindName !== kind.names.kind) {
    throw new BadRequestError(
      `the kind in the data (${JSON.stringify(kindName)}) does not match the expected kind (${kind.names.kind})`,
    );
  }
  const metadata = body.metadata ?? {};
  if (!isPlainObject(metadata)) throw new BadRequestError('`metadata` must be an object');
  const object = { ...body, apiVersion, kind: kindName, metadata: { ...metadata } } as KubeObject;
  if (kind.namespaced) {
    const ns = object.metadata.namespace;
    if (ns !== undefined && ns !== '' && ns !== target.namespace) {
      throw new BadRequestError(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    object.metadata.namespace = target.namespace;
  } else {
    delete object.metadata.namespace;
  }
  if (target.name !== undefined) {
    const name = object.metadata.name;
    if (name !== undefined && name !== target.name) {
      throw new BadRequestError(
        `the name of the object (${name}) does not match the name on the URL (${target.name})`,
      );
    }
    object.metadata.name = target.name;
  }
  return object;
}

/**
 * Drops fields the schema does not know; with `Strict` rejects them, with `Warn` reports them.
 * Status of a status-subresource kind is not the caller's to set here and is handled by callers.
 */
export function checkUnknownFields(
  object: KubeObject,
  kind: KindDefinition,
  mode: FieldValidation,
  warnings: string[],
): void {
  const unknown = pruneUnknownFields(object, kind.schema);
  if (unknown.length === 0 || mode === 'Ignore') return;
  const messages = unknown.map((path) => `unknown field "${path}"`);
  if (mode === 'Strict') throw new BadRequestError(`strict decoding error: ${messages.join(', ')}`);
  warnings.push(...messages);
}

export function defaultObject(object: KubeObject, kind: KindDefinition): void {
  applyDefaults(object, kind.schema);
}

/**
 * Validates a new object, or an update of `old`; throws InvalidError with every cause found. The
 * kind's own rules run only on objects its schema accepts, so they may rely on the schema's shape.
 */
export function validateObject(object: KubeObject, kind: KindDefinition, old?: KubeObject): void {
  const strategy = kind.strategy;
  const bodyCauses = redact(validateBody(object, kind), strategy?.secretFields ?? []);
  const causes: StatusCause[] = [
    ...validateObjectMeta(object.metadata, { namespaced: kind.namespaced }),
    ...bodyCauses,
  ];
  // Kind rules may assume the shape the schema describes: skip them when the schema rejected it.
  if (bodyCauses.length === 0) {
    const update = old && strategy?.validateUpdate?.(object, old);
    causes.push(...(update ?? strategy?.validate?.(object) ?? []));
  }
  if (old !== undefined) {
    for (const path of strategy?.immutableFields ?? []) {
      const [a, b] = [at(object, path), at(old, path)];
      if (!isDeepStrictEqual(a, b))
        causes.push(fieldError.invalid(path.join('.'), a ?? null, 'field is immutable'));
    }
  }
  if (causes.length > 0) {
    throw new InvalidError({ group: kind.group, kind: kind.names.kind, ...nameOf(object) }, causes);
  }
}

/** Schema messages quote the offending value; under a secret field that value must not be shown. */
function redact(causes: StatusCause[], secretFields: readonly string[]): StatusCause[] {
  const secret = (field = ''): boolean =>
    secretFields.some((f) => field === f || field.startsWith(`${f}.`) || field.startsWith(`${f}[`));
  return causes.map((c) =>
    secret(c.field) ? { ...c, message: 'Invalid value: "<secret contents redacted>"' } : c,
  );
}

function validateBody(object: KubeObject, kind: KindDefinition): StatusCause[] {
  const { metadata: _metadata, ...body } = object;
  const { metadata: _schemaMeta, ...properties } = kind.schema.properties ?? {};
  return validateValue(body, { ...kind.schema, properties }, '');
}

function nameOf(object: KubeObject): { name?: string } {
  return object.metadata.name === undefined ? {} : { name: object.metadata.name };
}

function at(object: unknown, path: readonly string[]): unknown {
  let value = object;
  for (const key of path) value = isPlainObject(value) ? value[key] : undefined;
  return value;
}
