/**
 * The Kptfile (`kpt.dev/v1`): TypeScript types, strict parsing with field-path errors, and the
 * validation kpt applies to pipelines. Field order and the schema table live in kptfile-schema.ts.
 */
import { isMap, type Document } from 'yaml';
import { BadRequestError, InvalidError, fieldError, type StatusCause } from '../apimachinery/index.js';
import { KPTFILE_FIELDS, type UPDATE_STRATEGIES } from './kptfile-schema.js';
import { lineIndex } from './line-index.js';
import { KPTFILE } from './package-files.js';
import { getStringField, rootMap } from './resource-meta.js';
import { decodeObject } from './yaml-object.js';
import { parseYamlDocument } from './yaml-file.js';

export const KPTFILE_API_VERSION = 'kpt.dev/v1';
export const KPTFILE_KIND = 'Kptfile';

export type OriginType = 'git' | 'oci' | 'generic';
export type UpdateStrategy = (typeof UPDATE_STRATEGIES)[number];
export { UPDATE_STRATEGIES } from './kptfile-schema.js';

export interface KptfileMetadata {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface GitUpstream {
  repo?: string;
  directory?: string;
  ref?: string;
}

export interface GitLock extends GitUpstream {
  commit?: string;
}

export interface OciUpstream {
  image?: string;
  path?: string;
}

export interface OciLock extends OciUpstream {
  digest?: string;
}

export interface GenericLock {
  storeID?: string;
  resourceID?: string;
  resourceVersion?: string;
}

export interface Upstream {
  type?: OriginType;
  git?: GitUpstream;
  oci?: OciUpstream;
  updateStrategy?: UpdateStrategy;
}

export interface UpstreamLock {
  type?: OriginType;
  git?: GitLock;
  oci?: OciLock;
  generic?: GenericLock;
}

export interface ReadinessGate {
  conditionType: string;
}

export interface PackageInfo {
  site?: string;
  emails?: string[];
  license?: string;
  licenseFile?: string;
  description?: string;
  keywords?: string[];
  man?: string;
  readinessGates?: ReadinessGate[];
}

/** Resource selection for a pipeline function: every field that is set must match. */
export interface Selector {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ConfigRef {
  apiVersion?: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface KptFunction {
  image?: string;
  exec?: string;
  configPath?: string;
  configMap?: Record<string, string>;
  name?: string;
  /** Semver constraint on the image tag (newer kpt). */
  tag?: string;
  selectors?: Selector[];
  exclude?: Selector[];
  /** Reference to a resource of the package used as functionConfig (kpt book). */
  configRef?: ConfigRef;
}

export interface Pipeline {
  mutators?: KptFunction[];
  validators?: KptFunction[];
}

export interface Inventory {
  namespace?: string;
  name?: string;
  inventoryID?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason?: string;
  message?: string;
}

/** One function run of a render, as kpt records it in `status.renderStatus`. */
export interface PipelineStepResult {
  name?: string;
  image?: string;
  exec?: string;
  executionError?: string;
  stderr?: string;
  exitCode?: number;
  results?: Record<string, unknown>[];
  errorResults?: Record<string, unknown>[];
}

export interface RenderStatus {
  mutationSteps?: PipelineStepResult[];
  validationSteps?: PipelineStepResult[];
  errorSummary?: string;
}

export interface KptfileStatus {
  conditions?: Condition[];
  renderStatus?: RenderStatus;
}

export interface Kptfile {
  apiVersion: typeof KPTFILE_API_VERSION;
  kind: typeof KPTFILE_KIND;
  metadata: KptfileMetadata;
  upstream?: Upstream;
  upstreamLock?: UpstreamLock;
  info?: PackageInfo;
  pipeline?: Pipeline;
  inventory?: Inventory;
  status?: KptfileStatus;
}

/** A Kptfile together with the document it was read from (for comment-preserving edits). */
export interface ParsedKptfile {
  kptfile: Kptfile;
  doc: Document;
}

const OLD_VERSIONS = new Set(['kpt.dev/v1alpha1', 'kpt.dev/v1alpha2', 'kpt.dev/v1beta1']);

const PATH_COMPONENT = '(?:[a-z0-9](?:(?:[_.]|__|[-]*)[a-z0-9]+)*)';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const IMAGE = new RegExp(
  `^(?:(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?:(?::|@)(?:[\\w][\\w.-]{0,127}|sha256:[a-zA-Z0-9]{64}))?)$`,
);

/** kpt's check of a function image reference (the Docker reference grammar). */
export function isValidFunctionImage(image: string): boolean {
  return IMAGE.test(image);
}

function validateFunction(fn: KptFunction, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!fn.image && !fn.exec) {
    causes.push(fieldError.required(field, 'must specify a function (`image` or `exec`) to execute'));
  }
  if (fn.image && fn.exec) {
    causes.push(
      fieldError.invalid(field, fn.image, 'must not specify both `image` and `exec` at the same time'),
    );
  }
  if (fn.image && !isValidFunctionImage(fn.image)) {
    causes.push(fieldError.invalid(`${field}.image`, fn.image, 'function image name is invalid'));
  }
  if (fn.configMap && Object.keys(fn.configMap).length > 0 && fn.configPath) {
    causes.push(
      fieldError.invalid(
        field,
        fn.configPath,
        'functionConfig must not specify both `configMap` and `configPath`',
      ),
    );
  }
  if (fn.configPath !== undefined) {
    const p = fn.configPath.trim();
    if (p === '') causes.push(fieldError.required(`${field}.configPath`, 'path must not be empty'));
    else if (p.startsWith('/'))
      causes.push(fieldError.invalid(`${field}.configPath`, p, 'path must be relative'));
    else if (p.includes('..')) {
      causes.push(fieldError.invalid(`${field}.configPath`, p, 'path must not be outside the package'));
    }
  }
  if (fn.configRef && (fn.configPath || (fn.configMap && Object.keys(fn.configMap).length > 0))) {
    causes.push(
      fieldError.invalid(
        field,
        fn.configRef.name,
        '`configRef` must not be combined with `configMap` or `configPath`',
      ),
    );
  }
  return causes;
}

/** Semantic checks of a decoded Kptfile (kpt's pipeline rules, inventory completeness). */
export function validateKptfile(kptfile: Kptfile): StatusCause[] {
  const causes: StatusCause[] = [];
  kptfile.pipeline?.mutators?.forEach((fn, i) =>
    causes.push(...validateFunction(fn, `pipeline.mutators[${i}]`)),
  );
  kptfile.pipeline?.validators?.forEach((fn, i) =>
    causes.push(...validateFunction(fn, `pipeline.validators[${i}]`)),
  );
  const inv = kptfile.inventory;
  if (inv && (inv.name || inv.namespace || inv.inventoryID)) {
    for (const f of ['name', 'namespace', 'inventoryID'] as const) {
      if (!inv[f]?.trim())
        causes.push(
          fieldError.required(`inventory.${f}`, 'name, namespace and inventoryID are all required'),
        );
    }
  }
  kptfile.status?.conditions?.forEach((c, i) => {
    if (!c.type) causes.push(fieldError.required(`status.conditions[${i}].type`));
  });
  return causes;
}

function invalid(name: string | undefined, causes: StatusCause[], path: string): InvalidError {
  const err = new InvalidError({ group: 'kpt.dev', kind: 'Kptfile', ...(name ? { name } : {}) }, causes);
  err.message = `${path}: ${err.message}`;
  return err;
}

export interface KptfileParseOptions {
  /** File name for messages (`Kptfile`, `sub/Kptfile`). */
  path?: string;
  /**
   * Apply kpt's pipeline rules (`validateKptfile`) as well as the schema; true by default. kpt
   * itself checks only the schema when it fetches a package, and the rules when it renders.
   */
  validate?: boolean;
}

/** Decodes and validates an already parsed Kptfile document. */
export function decodeKptfile(doc: Document, text: string, options: KptfileParseOptions = {}): Kptfile {
  const path = options.path ?? KPTFILE;
  const root = rootMap(doc);
  if (!root) {
    throw invalid(undefined, [fieldError.typeInvalid('', '', 'a Kptfile must be a YAML mapping')], path);
  }
  const apiVersion = getStringField(root, 'apiVersion');
  const kind = getStringField(root, 'kind');
  const name = getStringField(
    isMap(root.get('metadata', true)) ? root.get('metadata', true) : undefined,
    'name',
  );
  if (OLD_VERSIONS.has(apiVersion)) {
    throw invalid(
      name,
      [
        fieldError.notSupported('apiVersion', apiVersion, [KPTFILE_API_VERSION]),
        {
          field: 'apiVersion',
          message: `has an old version ("${apiVersion.slice('kpt.dev/'.length)}") of the Kptfile schema; update the package to ${KPTFILE_API_VERSION}`,
        },
      ],
      path,
    );
  }
  const causes: StatusCause[] = [];
  if (apiVersion !== KPTFILE_API_VERSION)
    causes.push(fieldError.notSupported('apiVersion', apiVersion, [KPTFILE_API_VERSION]));
  if (kind !== KPTFILE_KIND) causes.push(fieldError.notSupported('kind', kind, [KPTFILE_KIND]));
  const decoded = decodeObject(root, KPTFILE_FIELDS, '', {
    lines: lineIndex(text),
    causes,
  }) as Partial<Kptfile>;
  const kptfile = {
    ...decoded,
    apiVersion: KPTFILE_API_VERSION,
    kind: KPTFILE_KIND,
    metadata: decoded.metadata ?? {},
  } as Kptfile;
  if (options.validate ?? true) causes.push(...validateKptfile(kptfile));
  if (causes.length > 0) throw invalid(name, causes, path);
  return kptfile;
}

/**
 * Parses Kptfile text. Throws BadRequestError for unreadable YAML and InvalidError (causes with
 * field paths such as `pipeline.mutators[1].targetResources`) for a Kptfile that does not fit the
 * schema or kpt's rules.
 */
export function parseKptfileDocument(text: string, options: KptfileParseOptions = {}): ParsedKptfile {
  const path = options.path ?? KPTFILE;
  let doc: Document;
  try {
    doc = parseYamlDocument(path, text);
  } catch (err) {
    if (err instanceof BadRequestError) {
      throw new BadRequestError(`${path} can't be read: ${err.message}`, {
        causes: err.details?.causes ?? [],
        cause: err,
      });
    }
    throw err;
  }
  return { kptfile: decodeKptfile(doc, text, options), doc };
}

export function parseKptfile(text: string, options: KptfileParseOptions = {}): Kptfile {
  return parseKptfileDocument(text, options).kptfile;
}
