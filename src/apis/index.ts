export * from './core-v1.js';
export * from './apiextensions-v1.js';
export * from './schema-helpers.js';
// The generic helpers of porch-common (StringEnum, DateTime, ageColumn…) stay internal to apis.
export {
  LabelSelectorSchema,
  MetaConditionSchema,
  PorchSecretRefSchema,
  type ApiPrinterColumn,
  type ApiResourceInfo,
} from './porch-common.js';
export * from './porch-v1alpha1-tasks.js';
export * from './porch-v1alpha1.js';
export * from './config-porch-v1alpha1.js';
export * from './config-porch-packagevariant.js';
export * from './config-porch-packagevariantset.js';
export * from './config-porch-functionconfig.js';
