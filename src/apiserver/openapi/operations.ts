/**
 * The REST operations of a kind in one version, described independently of the OpenAPI flavor:
 * paths, operation IDs, `x-kubernetes-action`, and the query parameters Kubernetes declares for
 * each verb. Operation-specific parameters (e.g. `fieldValidation` on PATCH) sit on the operation
 * itself, which is where kubectl's `QueryParamVerifierV3` looks for them.
 */
import type { JSONSchemaProps } from '../../apimachinery/index.js';
import type { KindDefinition } from '../../registry/index.js';
import { deleteOptionsSchema, patchSchema, statusSchema, watchEventSchema } from './definitions.js';
import {
  DELETE_COLLECTION_PARAMS,
  DELETE_PARAMS,
  LIST_PARAMS,
  P,
  WRITE_PARAMS,
  type ParamSpec,
} from './parameters.js';

export type { ParamSpec } from './parameters.js';

export interface BodySpec {
  schema: JSONSchemaProps;
  required: boolean;
  /** PATCH bodies: the content types accepted. */
  patchTypes?: readonly string[];
}

export interface OperationSpec {
  method: 'get' | 'put' | 'post' | 'delete' | 'patch';
  operationId: string;
  description: string;
  tag: string;
  action: string;
  params: ParamSpec[];
  body?: BodySpec;
  responses: { code: number; description: string; schema: JSONSchemaProps }[];
  /** Streams watch events in addition to plain JSON/YAML. */
  streams: boolean;
  /** Published as `x-kubernetes-group-version-kind` on the operation. */
  gvk: { group: string; kind: string; version: string };
}

export interface PathSpec {
  path: string;
  params: ParamSpec[];
  operations: OperationSpec[];
}

export const DEFAULT_VERBS = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
];

function words(group: string): string[] {
  const trimmed = group.endsWith('.k8s.io') ? group.slice(0, -'.k8s.io'.length) : group;
  return trimmed.split(/[.-]/).filter((w) => w !== '');
}

const upper = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);

/** `CoreV1`, `AppsV1`, `RbacAuthorizationV1`, `ComExampleStableV1`-style operation ID infix. */
function groupVersionCamel(group: string, version: string): string {
  return `${group === '' ? 'Core' : words(group).map(upper).join('')}${upper(version)}`;
}

/** `core_v1`, `rbacAuthorization_v1`, `stableExampleCom_v1`. */
function tagOf(group: string, version: string): string {
  if (group === '') return `core_${version}`;
  const [first = '', ...rest] = words(group);
  return `${first}${rest.map(upper).join('')}_${version}`;
}

function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? 'an' : 'a';
}

/** Every path of `kind` in `version`, each with its operations; paths the verbs do not use are left out. */
export function kindPaths(
  kind: KindDefinition,
  version: string,
  schema: JSONSchemaProps,
  listSchema: JSONSchemaProps,
): PathSpec[] {
  const verbs = new Set(kind.verbs ?? DEFAULT_VERBS);
  const { group, namespaced } = kind;
  const { kind: k, plural } = kind.names;
  const root = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  const ns = namespaced ? 'namespaces/{namespace}/' : '';
  const scoped = namespaced ? 'Namespaced' : '';
  const gv = groupVersionCamel(group, version);
  const tag = tagOf(group, version);
  const nameParam: ParamSpec = {
    name: 'name',
    in: 'path',
    type: 'string',
    required: true,
    description: `name of the ${k}`,
  };
  const nsParam: ParamSpec = {
    name: 'namespace',
    in: 'path',
    type: 'string',
    required: true,
    description: 'object name and auth scope, such as for teams and projects',
  };
  const scopeParams = namespaced ? [nsParam] : [];
  const ok = (s: JSONSchemaProps) => ({ code: 200, description: 'OK', schema: s });
  const created = { code: 201, description: 'Created', schema };
  const accepted = (s: JSONSchemaProps) => ({ code: 202, description: 'Accepted', schema: s });
  const op = (
    method: OperationSpec['method'],
    verb: string,
    rest: string,
    action: string,
    description: string,
    params: ParamSpec[],
    responses: OperationSpec['responses'],
    extra: Partial<OperationSpec> = {},
  ): OperationSpec => ({
    method,
    operationId: `${verb}${gv}${rest}`,
    description,
    tag,
    action,
    params,
    responses,
    streams: false,
    gvk: { group, kind: k, version },
    ...extra,
  });
  const body = (s: JSONSchemaProps, required = true): { body: BodySpec } => ({
    body: { schema: s, required },
  });
  const patchBody: { body: BodySpec } = {
    body: {
      schema: patchSchema,
      required: true,
      patchTypes: [
        'application/apply-patch+yaml',
        'application/json-patch+json',
        'application/merge-patch+json',
        ...(kind.crd === undefined ? ['application/strategic-merge-patch+json'] : []),
      ],
    },
  };

  const paths: PathSpec[] = [];
  const collection: OperationSpec[] = [];
  if (verbs.has('list')) {
    collection.push(
      op(
        'get',
        'list',
        `${scoped}${k}`,
        'list',
        `list or watch objects of kind ${k}`,
        LIST_PARAMS,
        [ok(listSchema)],
        { streams: true },
      ),
    );
  }
  if (verbs.has('create')) {
    collection.push(
      op(
        'post',
        'create',
        `${scoped}${k}`,
        'post',
        `create ${article(k)} ${k}`,
        WRITE_PARAMS,
        [ok(schema), created, accepted(schema)],
        body(schema),
      ),
    );
  }
  if (verbs.has('deletecollection')) {
    collection.push(
      op(
        'delete',
        'delete',
        `Collection${scoped}${k}`,
        'deletecollection',
        `delete collection of ${k}`,
        DELETE_COLLECTION_PARAMS,
        [ok(statusSchema)],
        body(deleteOptionsSchema, false),
      ),
    );
  }
  paths.push({ path: `${root}/${ns}${plural}`, params: [...scopeParams, P.pretty], operations: collection });

  const item: OperationSpec[] = [];
  if (verbs.has('get'))
    item.push(op('get', 'read', `${scoped}${k}`, 'get', `read the specified ${k}`, [], [ok(schema)]));
  if (verbs.has('update')) {
    item.push(
      op(
        'put',
        'replace',
        `${scoped}${k}`,
        'put',
        `replace the specified ${k}`,
        WRITE_PARAMS,
        [ok(schema), created],
        body(schema),
      ),
    );
  }
  if (verbs.has('delete')) {
    item.push(
      op(
        'delete',
        'delete',
        `${scoped}${k}`,
        'delete',
        `delete ${article(k)} ${k}`,
        DELETE_PARAMS,
        [ok(statusSchema), accepted(statusSchema)],
        body(deleteOptionsSchema, false),
      ),
    );
  }
  if (verbs.has('patch')) {
    item.push(
      op(
        'patch',
        'patch',
        `${scoped}${k}`,
        'patch',
        `partially update the specified ${k}`,
        [...WRITE_PARAMS, P.force],
        [ok(schema), created],
        patchBody,
      ),
    );
  }
  paths.push({
    path: `${root}/${ns}${plural}/{name}`,
    params: [nameParam, ...scopeParams, P.pretty],
    operations: item,
  });

  if (kind.statusSubresource) {
    const status: OperationSpec[] = [];
    if (verbs.has('get'))
      status.push(
        op(
          'get',
          'read',
          `${scoped}${k}Status`,
          'get',
          `read status of the specified ${k}`,
          [],
          [ok(schema)],
        ),
      );
    if (verbs.has('update')) {
      status.push(
        op(
          'put',
          'replace',
          `${scoped}${k}Status`,
          'put',
          `replace status of the specified ${k}`,
          WRITE_PARAMS,
          [ok(schema), created],
          body(schema),
        ),
      );
    }
    if (verbs.has('patch')) {
      status.push(
        op(
          'patch',
          'patch',
          `${scoped}${k}Status`,
          'patch',
          `partially update status of the specified ${k}`,
          [...WRITE_PARAMS, P.force],
          [ok(schema), created],
          patchBody,
        ),
      );
    }
    paths.push({
      path: `${root}/${ns}${plural}/{name}/status`,
      params: [nameParam, ...scopeParams, P.pretty],
      operations: status,
    });
  }

  if (namespaced && verbs.has('list')) {
    const all = op(
      'get',
      'list',
      `${k}ForAllNamespaces`,
      'list',
      `list or watch objects of kind ${k}`,
      [],
      [ok(listSchema)],
      { streams: true },
    );
    paths.push({ path: `${root}/${plural}`, params: [...LIST_PARAMS, P.pretty], operations: [all] });
  }
  if (verbs.has('watch')) {
    const event = [ok(watchEventSchema)];
    const deprecated = "deprecated: use the 'watch' parameter with a list operation instead";
    const watchList = (rest: string): OperationSpec =>
      op(
        'get',
        'watch',
        rest,
        'watchlist',
        `watch individual changes to a list of ${k}. ${deprecated}.`,
        [],
        event,
        { streams: true },
      );
    paths.push({
      path: `${root}/watch/${ns}${plural}`,
      params: [...scopeParams, ...LIST_PARAMS, P.pretty],
      operations: [watchList(`${scoped}${k}List`)],
    });
    const watchOne = op(
      'get',
      'watch',
      `${scoped}${k}`,
      'watch',
      `watch changes to an object of kind ${k}. ${deprecated}, filtered to a single item with the 'fieldSelector' parameter.`,
      [],
      event,
      { streams: true },
    );
    paths.push({
      path: `${root}/watch/${ns}${plural}/{name}`,
      params: [nameParam, ...scopeParams, ...LIST_PARAMS, P.pretty],
      operations: [watchOne],
    });
    if (namespaced) {
      paths.push({
        path: `${root}/watch/${plural}`,
        params: [...LIST_PARAMS, P.pretty],
        operations: [watchList(`${k}ListForAllNamespaces`)],
      });
    }
  }
  return paths.filter((p) => p.operations.length > 0);
}

/** A path item: its operations by method, then the parameters they share, in one flavour's encoding. */
export function pathItemOf<N>(
  spec: PathSpec,
  namer: N,
  operation: (op: OperationSpec, namer: N) => Record<string, unknown>,
  param: (p: ParamSpec) => Record<string, unknown>,
): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const op of spec.operations) item[op.method] = operation(op, namer);
  if (spec.params.length > 0) item['parameters'] = spec.params.map(param);
  return item;
}
