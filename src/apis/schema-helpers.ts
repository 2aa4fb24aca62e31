/** Small TypeBox helpers for Kubernetes-shaped schemas (structural, no `patternProperties`). */
import { Type, type TSchema, type TUnsafe } from 'typebox';

/** A map of string to string (`additionalProperties: string`), e.g. labels or ConfigMap data. */
export function StringMap(options: { description?: string } = {}): TUnsafe<Record<string, string>> {
  return Type.Unsafe<Record<string, string>>({
    type: 'object',
    additionalProperties: { type: 'string' },
    ...options,
  });
}

/** A map of string to `T`. */
export function MapOf<T extends TSchema>(
  value: T,
  options: { description?: string } = {},
): TUnsafe<Record<string, unknown>> {
  return Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: value, ...options });
}

/** Any JSON object whose fields are kept as given (`x-kubernetes-preserve-unknown-fields`). */
export function FreeForm(options: { description?: string } = {}): TUnsafe<Record<string, unknown>> {
  return Type.Unsafe<Record<string, unknown>>({
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
    ...options,
  });
}

/** `metadata`: validated by the registry's ObjectMeta rules; served as a `$ref` to ObjectMeta. */
export const ObjectMetaField = Type.Unsafe<Record<string, unknown>>({
  type: 'object',
  description: "Standard object's metadata.",
  'x-kubernetes-preserve-unknown-fields': true,
});

/** The type meta every top-level schema starts with. */
export const TypeMetaFields = {
  apiVersion: Type.Optional(
    Type.String({
      description: 'APIVersion defines the versioned schema of this representation of an object.',
    }),
  ),
  kind: Type.Optional(
    Type.String({
      description: 'Kind is a string value representing the REST resource this object represents.',
    }),
  ),
  metadata: Type.Optional(ObjectMetaField),
};
