/**
 * `config.porch.kpt.dev/v1alpha1` FunctionConfig, as Porch declares it: how the function runner
 * runs an image — as a pod (`podExecutor`), a local binary (`binaryExecutor`) or a Go function
 * compiled into the runner (`goExecutor`). `spec.image` is the short name (e.g. `set-namespace`),
 * `spec.prefixes` the registries it is known under; executors list the tags they serve.
 */
import { Type, type Static } from 'typebox';
import { FreeForm } from './schema-helpers.js';
import { RootTypeMetaFields, ageColumn, type ApiResourceInfo } from './porch-common.js';
import { CONFIG_PORCH_GROUP, CONFIG_PORCH_VERSION } from './config-porch-v1alpha1.js';

export const FUNCTION_CONFIG_FINALIZER = 'config.porch.kpt.dev/functionconfig';

const Tags = Type.Array(Type.String(), {
  description: 'Image tags this executor serves (e.g. `v0.4.1`, `v0.4`, `latest`).',
});

export const FunctionConfigSpecSchema = Type.Object(
  {
    image: Type.String({ description: 'Short image name of the function, e.g. `set-namespace`.' }),
    prefixes: Type.Optional(
      Type.Array(Type.String(), {
        description: 'Registries the image is known under, e.g. `ghcr.io/kptdev/krm-functions-catalog`.',
      }),
    ),
    podExecutor: Type.Optional(
      Type.Object(
        {
          tags: Type.Optional(Tags),
          timeToLive: Type.Optional(
            Type.String({ description: 'Idle time before the pod is removed; 30m by default.' }),
          ),
          maxParallelExecutions: Type.Optional(Type.Integer({ minimum: 1 })),
          preferredMaxQueueLength: Type.Optional(Type.Integer({ minimum: 0 })),
          templateOverrides: Type.Optional(FreeForm({ description: 'Overrides of the pod template.' })),
        },
        { description: 'Runs the function in a pod.' },
      ),
    ),
    binaryExecutor: Type.Optional(
      Type.Object(
        {
          tags: Type.Optional(Tags),
          path: Type.String({ description: 'Path of the executable that implements the function.' }),
        },
        { description: 'Runs the function as a local executable (ResourceList on stdin and stdout).' },
      ),
    ),
    goExecutor: Type.Optional(
      Type.Object(
        {
          tags: Type.Optional(Tags),
          id: Type.String({ description: 'Identifier of the compiled-in function.' }),
        },
        { description: 'Runs a function compiled into the runner.' },
      ),
    ),
  },
  { description: 'FunctionConfigSpec says how the function runner runs an image (at least one executor).' },
);
export type FunctionConfigSpec = Static<typeof FunctionConfigSpecSchema>;

export const FunctionConfigStatusSchema = Type.Object({
  apiServerObservedGeneration: Type.Optional(Type.Integer()),
  functionRunnerObservedGeneration: Type.Optional(Type.Integer()),
  controllerObservedGeneration: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.String()),
});

export const FunctionConfigSchema = Type.Object(
  {
    ...RootTypeMetaFields,
    spec: Type.Optional(FunctionConfigSpecSchema),
    status: Type.Optional(FunctionConfigStatusSchema),
  },
  { description: 'FunctionConfig configures how a KRM function image is run.' },
);
export type FunctionConfig = Static<typeof FunctionConfigSchema>;

export const functionConfigInfo: ApiResourceInfo = {
  group: CONFIG_PORCH_GROUP,
  version: CONFIG_PORCH_VERSION,
  versions: [CONFIG_PORCH_VERSION],
  kind: 'FunctionConfig',
  listKind: 'FunctionConfigList',
  plural: 'functionconfigs',
  singular: 'functionconfig',
  shortNames: [],
  namespaced: true,
  subresources: ['status'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  printerColumns: [ageColumn],
  fieldSelectors: [],
  finalizer: FUNCTION_CONFIG_FINALIZER,
};
