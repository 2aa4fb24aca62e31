/**
 * Kubernetes' name, label and annotation rules (`k8s.io/apimachinery/pkg/util/validation` and
 * `pkg/api/validation/objectmeta.go`), with Kubernetes' exact message texts so that clients and
 * users see the same errors as from a real API server.
 *
 * The `is*` functions return bare messages (empty = valid), like their Go counterparts; the
 * `validate*` functions wrap them into `StatusCause`s for a field path.
 */
import type { StatusCause } from './errors.js';
import { fieldError } from './errors.js';
import type { ObjectMeta } from './object.js';

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelValueFmt = `(${qualifiedNameFmt})?`;

const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const labelValueRe = new RegExp(`^${labelValueFmt}$`);

const dns1123LabelErrMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const dns1123SubdomainErrMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const qualifiedNameErrMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelValueErrMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
export const QUALIFIED_NAME_MAX_LENGTH = 63;
export const LABEL_VALUE_MAX_LENGTH = 63;
/** Total size of all annotation keys and values of one object (256 KiB, as Kubernetes). */
export const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;

/** Kubernetes' `MaxLenError`. */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/**
 * Kubernetes' `RegexError`, including its quirk of a double space before each "or" — clients
 * that match on these texts expect it.
 */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  let out = `${msg} (e.g. `;
  examples.forEach((example, i) => {
    if (i > 0) out += ' or ';
    out += `'${example}', `;
  });
  return `${out}regex used for validation is '${fmt}')`;
}

/** Go's `len(string)`: the length in UTF-8 bytes. */
function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123LabelRe.test(value)) {
    // A valid subdomain that is not a valid label can only be one with dots (length was checked).
    if (dns1123SubdomainRe.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(dns1123LabelErrMsg, dns1123LabelFmt, 'my-name', '123-abc'));
  }
  return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainRe.test(value))
    errs.push(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, 'example.com'));
  return errs;
}

/** A "qualified name": label and annotation keys, finalizers — `[prefix/]name`. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((msg) => `prefix part ${msg}`));
  } else {
    return [
      `a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (byteLength(name) > QUALIFIED_NAME_MAX_LENGTH)
    errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX_LENGTH)}`);
  if (!qualifiedNameRe.test(name)) {
    errs.push(
      `name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`,
    );
  }
  return errs;
}

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!labelValueRe.test(value))
    errs.push(regexError(labelValueErrMsg, labelValueFmt, 'MyValue', 'my_value', '12345'));
  return errs;
}

function causes(field: string, value: unknown, messages: readonly string[]): StatusCause[] {
  return messages.map((msg) => fieldError.invalid(field, value, msg));
}

export function validateDNS1123Subdomain(value: string, field: string): StatusCause[] {
  return causes(field, value, isDNS1123Subdomain(value));
}

export function validateDNS1123Label(value: string, field: string): StatusCause[] {
  return causes(field, value, isDNS1123Label(value));
}

export function validateQualifiedName(value: string, field: string): StatusCause[] {
  return causes(field, value, isQualifiedName(value));
}

export function validateLabelValue(value: string, field: string): StatusCause[] {
  return causes(field, value, isValidLabelValue(value));
}

/** Label keys must be qualified names, values valid label values; causes carry `field` itself, as Kubernetes. */
export function validateLabels(
  labels: Readonly<Record<string, string>> | undefined,
  field: string,
): StatusCause[] {
  const all: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    all.push(...validateQualifiedName(key, field));
    all.push(...validateLabelValue(value, field));
  }
  return all;
}

/** Annotation keys are qualified names (case-insensitive); all keys and values together at most 256 KiB. */
export function validateAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
  field: string,
): StatusCause[] {
  const all: StatusCause[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(annotations ?? {})) {
    all.push(...causes(field, key, isQualifiedName(key.toLowerCase())));
    total += byteLength(key) + byteLength(value);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) {
    all.push({
      reason: 'FieldValueTooLong',
      field,
      message: `Too long: must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT_BYTES} bytes`,
    });
  }
  return all;
}

/**
 * Validates a name (`prefix` false) or a generateName prefix (`prefix` true); returns messages.
 * Same contract as Kubernetes' `ValidateNameFunc`.
 */
export type NameValidator = (name: string, prefix: boolean) => string[];

/** A generateName may end in '-': mask it so the prefix is checked as the start of a name. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

/** The default name rule of most kinds (and all custom resources). */
export const nameIsDNSSubdomain: NameValidator = (name, prefix) =>
  isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);

/** The name rule of namespaces and of kinds whose names become DNS labels. */
export const nameIsDNSLabel: NameValidator = (name, prefix) =>
  isDNS1123Label(prefix ? maskTrailingDash(name) : name);

export interface ObjectMetaValidationOptions {
  namespaced: boolean;
  /** Rule for `name` and `generateName`; default DNS-1123 subdomain. */
  nameValidator?: NameValidator;
  /** Path of the metadata field; default `metadata`. */
  field?: string;
}

const finalizerOrphanDependents = 'orphan';
const finalizerDeleteDependents = 'foregroundDeletion';

function validateOwnerReferences(refs: ObjectMeta['ownerReferences'], field: string): StatusCause[] {
  const all: StatusCause[] = [];
  let firstController = '';
  for (const ref of refs ?? []) {
    const apiVersion = ref.apiVersion ?? '';
    const slash = apiVersion.indexOf('/');
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    if (version.length === 0)
      all.push(fieldError.invalid(`${field}.apiVersion`, apiVersion, 'version must not be empty'));
    if (!ref.kind) all.push(fieldError.invalid(`${field}.kind`, ref.kind ?? '', 'must not be empty'));
    if (!ref.name) all.push(fieldError.invalid(`${field}.name`, ref.name ?? '', 'must not be empty'));
    if (!ref.uid) all.push(fieldError.invalid(`${field}.uid`, ref.uid ?? '', 'must not be empty'));
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController !== '') {
        all.push(
          fieldError.invalid(
            field,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      } else {
        firstController = current;
      }
    }
  }
  return all;
}

function validateFinalizers(finalizers: readonly string[] | undefined, field: string): StatusCause[] {
  const all: StatusCause[] = [];
  for (const finalizer of finalizers ?? []) all.push(...validateQualifiedName(finalizer, field));
  const list = finalizers ?? [];
  if (list.includes(finalizerOrphanDependents) && list.includes(finalizerDeleteDependents)) {
    all.push(
      fieldError.invalid(
        field,
        list,
        `finalizer ${finalizerOrphanDependents} and ${finalizerDeleteDependents} cannot be both set`,
      ),
    );
  }
  return all;
}

/**
 * Validates an object's metadata for create/update as Kubernetes' `ValidateObjectMetaAccessor`
 * does, except that a `generateName` without a `name` is accepted: callers may validate before
 * generating the name.
 */
export function validateObjectMeta(meta: ObjectMeta, options: ObjectMetaValidationOptions): StatusCause[] {
  const field = options.field ?? 'metadata';
  const nameFn = options.nameValidator ?? nameIsDNSSubdomain;
  const all: StatusCause[] = [];

  if (meta.generateName)
    all.push(...causes(`${field}.generateName`, meta.generateName, nameFn(meta.generateName, true)));
  if (meta.name) all.push(...causes(`${field}.name`, meta.name, nameFn(meta.name, false)));
  else if (!meta.generateName)
    all.push(fieldError.required(`${field}.name`, 'name or generateName is required'));

  if (options.namespaced) {
    if (!meta.namespace) all.push(fieldError.required(`${field}.namespace`));
    else all.push(...causes(`${field}.namespace`, meta.namespace, nameIsDNSLabel(meta.namespace, false)));
  } else if (meta.namespace) {
    all.push(fieldError.forbidden(`${field}.namespace`, 'not allowed on this type'));
  }

  if (meta.generation !== undefined && meta.generation < 0) {
    all.push(
      fieldError.invalid(`${field}.generation`, meta.generation, 'must be greater than or equal to 0'),
    );
  }
  all.push(...validateLabels(meta.labels, `${field}.labels`));
  all.push(...validateAnnotations(meta.annotations, `${field}.annotations`));
  all.push(...validateOwnerReferences(meta.ownerReferences, `${field}.ownerReferences`));
  all.push(...validateFinalizers(meta.finalizers, `${field}.finalizers`));
  return all;
}
